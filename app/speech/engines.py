"""Which recogniser runs, and a sentence telling the user why.

Vosk wins when an English model is available; otherwise the embedded PocketSphinx runs
so speech works straight after install, and the message says how to get a Vosk model.
A forced ``vosk`` accepts a model in any language (the Korean test model, for one).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import KnownError
from app.core.settings import Settings
from app.speech import sphinx_engine, vosk_engine
from app.speech.recognizer import Recognizer
from app.speech.vosk_models import ModelInfo, candidates, check_model_dir, describe

ENGINES = ("auto", vosk_engine.ENGINE, sphinx_engine.ENGINE)
INSTALL_HINT = (
    "For better recognition install an English Vosk model: download one such as "
    "vosk-model-small-en-us-0.15.zip from https://alphacephei.com/vosk/models and run "
    "'parley models install FILE.zip' (or add it in Settings)."
)


@dataclass
class EngineChoice:
    engine: str
    model: ModelInfo | None
    message: str

    def recognizer(self) -> Recognizer:
        """A fresh recogniser for one recording."""
        if self.engine == vosk_engine.ENGINE:
            assert self.model is not None
            return vosk_engine.VoskRecognizer(self.model.path)
        return sphinx_engine.SphinxRecognizer()

    def preload(self) -> None:
        """Starts loading the Vosk model in the background so the first recording is fast."""
        if self.model is not None:
            vosk_engine.load_model(self.model.path)

    def to_json(self) -> dict[str, object]:
        return {
            "engine": self.engine,
            "model": str(self.model.path) if self.model else None,
            "language": self.model.language if self.model else None,
            "message": self.message,
        }


def choose_engine(
    data_dir: Path,
    engine: str = "auto",
    vosk_model: str | os.PathLike[str] | None = None,
) -> EngineChoice:
    if engine not in ENGINES:
        raise KnownError(f"Unknown engine {engine!r}; choose one of: {', '.join(ENGINES)}.")
    if engine == sphinx_engine.ENGINE:
        return EngineChoice(sphinx_engine.ENGINE, None, "Using PocketSphinx, as asked.")
    found = candidates(data_dir, vosk_model)
    if engine == vosk_engine.ENGINE:
        return _forced_vosk(found, vosk_model)
    english = next((m for m in found if m.valid and m.english), None)
    if english is not None:
        return EngineChoice(
            vosk_engine.ENGINE, english, f"Using Vosk with the English model {english.path}."
        )
    return EngineChoice(sphinx_engine.ENGINE, None, _why_not_vosk(found))


def choose_from_settings(
    data_dir: Path, engine: str | None = None, vosk_model: str | None = None
) -> EngineChoice:
    """Command-line options win over the saved settings."""
    settings = Settings.load(data_dir)
    return choose_engine(
        data_dir, engine or settings.engine or "auto", vosk_model or settings.vosk_model or None
    )


def _forced_vosk(found: list[ModelInfo], explicit: str | os.PathLike[str] | None) -> EngineChoice:
    if explicit:
        model = describe(Path(explicit).expanduser().resolve(), "setting")
        check_model_dir(model.path)
    else:
        valid = [m for m in found if m.valid]
        if not valid:
            raise KnownError(f"No Vosk model was found. {INSTALL_HINT}")
        model = next((m for m in valid if m.english), valid[0])
    note = "" if model.english else f" (language: {model.language or 'unknown'})"
    return EngineChoice(vosk_engine.ENGINE, model, f"Using Vosk with {model.path}{note}.")


def _why_not_vosk(found: list[ModelInfo]) -> str:
    reasons = []
    for model in found:
        if not model.valid:
            reasons.append(f"{model.path} is incomplete ({'; '.join(model.problems)})")
        else:
            language = model.language or "unknown language"
            reasons.append(
                f"{model.path} is not an English model ({language}; if it is English, put "
                f"'en' in a file named parley-language inside it)"
            )
    found_text = f" Found: {'; '.join(reasons)}." if reasons else " No Vosk model was found."
    return f"Using PocketSphinx.{found_text} {INSTALL_HINT}"
