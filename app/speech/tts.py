"""Text to speech: pyttsx3 renders each utterance to a cached WAV; Qt plays it.

pyttsx3 is not thread-safe and its espeak driver keeps process-wide state, so one
worker thread per process creates the engine and runs every request (pyttsx3 issue
#327); callers get a ``Future``. Known pyttsx3 2.99 espeak-driver traps shape this:
``say()`` shells out to ``aplay`` and fails silently without it, so audio is always
rendered with ``save_to_file`` and played elsewhere; two ``save_to_file`` calls in one
``runAndWait`` lose the first, so each render is its own ``runAndWait``; and the driver
``print()``s "Audio saved to …" from espeak's callback thread, so background threads'
stdout is muted during a render and the CLI's stdout stays JSON-clean. Renders are
cached by (text, voice, rate) under hashed names and moved into place atomically.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import queue
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO, TypeVar

import soundfile as sf

from app.model.errors import KnownError
from app.model.paths import tts_cache_dir
from app.model.settings import Settings

MIN_RATE, MAX_RATE = 80, 450  # words per minute espeak-ng speaks intelligibly
# espeak-ng has crashed the process on very long utterances; this is about five minutes
# of speech, far more than a question or a model answer.
MAX_SPEAK_CHARS = 5000
RENDER_TIMEOUT_S = 60.0
_CACHE_VERSION = 1  # bump when rendering changes so old files are not reused

T = TypeVar("T")


class TtsError(KnownError):
    """Speech could not be rendered (no espeak-ng, unknown voice, bad rate)."""


@dataclass(frozen=True)
class Voice:
    id: str
    name: str
    languages: list[str] = field(default_factory=list)
    gender: str | None = None

    @property
    def english(self) -> bool:
        """espeak-ng names languages "en-gb"; other engines "en_US", or only the name."""
        codes = [lang.lower().replace("_", "-") for lang in self.languages]
        if codes:
            return any(code == "en" or code.startswith("en-") for code in codes)
        return "english" in self.name.lower()

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "languages": self.languages,
            "gender": self.gender,
        }


class _EngineThread:
    """The one thread that owns the pyttsx3 engine; jobs are functions of the engine."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[Callable[[Any], Any], Future[Any]]] = queue.Queue()
        self._engine: Any = None
        self._default_voice = ""
        self.renders = 0  # syntheses actually run (cache hits do not count)
        self.utterance_done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tts-engine", daemon=True)
        self._thread.start()

    def submit(self, job: Callable[[Any], T]) -> Future[T]:
        future: Future[T] = Future()
        self._jobs.put((job, future))
        return future

    @property
    def default_voice(self) -> str:
        return self._default_voice

    def _run(self) -> None:
        while True:
            job, future = self._jobs.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                if self._engine is None:
                    self._engine = self._start_engine()
                future.set_result(job(self._engine))
            except BaseException as err:  # delivered to the caller, never lost
                future.set_exception(err)

    def _start_engine(self) -> Any:
        engine = _create_engine()
        # A fresh engine is "busy" until its first loop, and a render queued then would
        # come back before espeak has written the file; an empty loop settles it.
        engine.runAndWait()
        engine.connect("finished-utterance", lambda **_: self.utterance_done.set())
        self._default_voice = str(engine.getProperty("voice") or "")
        return engine


def _create_engine() -> Any:
    try:
        import pyttsx3

        return pyttsx3.init()
    except (ImportError, OSError, RuntimeError) as err:
        raise TtsError(
            "Text-to-speech needs espeak-ng, which could not be loaded "
            f"({err}). Install it, e.g. 'sudo apt install espeak-ng'."
        ) from err


_engine_thread: _EngineThread | None = None
_engine_lock = threading.Lock()


def engine_thread() -> _EngineThread:
    global _engine_thread
    with _engine_lock:
        if _engine_thread is None:
            _engine_thread = _EngineThread()
        return _engine_thread


class _MuteBackground:
    """Stands in for sys.stdout while a render runs: the espeak driver prints from
    espeak's own callback thread, so writes from every thread but the main one are
    dropped; the main thread's output passes through untouched."""

    def __init__(self, target: TextIO) -> None:
        self._target = target

    def write(self, text: str) -> int:
        if threading.current_thread() is not threading.main_thread():
            return len(text)
        return self._target.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target, name)


@contextlib.contextmanager
def _muted_stdout() -> Iterator[None]:
    if sys.stdout is None:  # windowed app without a console
        yield
        return
    with contextlib.redirect_stdout(_MuteBackground(sys.stdout)):
        yield


class Speaker:
    """Renders text to WAV files for playback, with a cache.

    ``render()`` returns a ``Future[Path]``; its callbacks run on the TTS thread, so a
    GUI must hop back to its own thread before touching widgets.
    """

    def __init__(self, cache_dir: Path, voice: str = "", rate: int = 170) -> None:
        self.cache_dir = cache_dir
        self.voice = voice
        self.rate = rate

    @classmethod
    def for_data_dir(cls, data_dir: Path) -> Speaker:
        settings = Settings.load(data_dir)
        return cls(tts_cache_dir(data_dir), settings.tts_voice, settings.tts_rate)

    def cache_path(self, text: str, voice: str | None = None, rate: int | None = None) -> Path:
        key = json.dumps(
            [_CACHE_VERSION, text, self.voice if voice is None else voice, rate or self.rate]
        )
        return self.cache_dir / f"{hashlib.sha256(key.encode()).hexdigest()[:40]}.wav"

    def render(self, text: str, voice: str | None = None, rate: int | None = None) -> Future[Path]:
        """The WAV for ``text``: at once from the cache, else rendered in the background.
        ``voice`` (e.g. a persona's) and ``rate`` override the speaker's defaults."""
        text = " ".join(text.split())
        if len(text) > MAX_SPEAK_CHARS:
            raise TtsError(
                f"The text to speak is {len(text):,} characters long; at most "
                f"{MAX_SPEAK_CHARS:,} can be spoken at once."
            )
        chosen_voice = self.voice if voice is None else voice
        chosen_rate = rate or self.rate
        path = self.cache_path(text, chosen_voice, chosen_rate)
        if path.is_file():
            done: Future[Path] = Future()
            done.set_result(path)
            return done
        if not text:
            raise TtsError("There is no text to speak.")
        if not MIN_RATE <= chosen_rate <= MAX_RATE:
            raise TtsError(f"Speech rate {chosen_rate} is out of range ({MIN_RATE}–{MAX_RATE}).")
        worker = engine_thread()
        return worker.submit(
            lambda engine: _render(worker, engine, text, chosen_voice, chosen_rate, path)
        )

    def render_now(self, text: str, voice: str | None = None, rate: int | None = None) -> Path:
        """Blocking ``render`` for the CLI and tests."""
        return self.render(text, voice, rate).result()


def list_voices() -> Future[list[Voice]]:
    return engine_thread().submit(_voices)


def english_first(voices: list[Voice]) -> list[Voice]:
    """English voices first, each group by name: the questions and model answers are in
    English, and espeak-ng lists a hundred other languages, Afrikaans first."""
    return sorted(voices, key=lambda v: (not v.english, v.name.lower()))


def _voices(engine: Any) -> list[Voice]:
    return [
        Voice(
            id=str(v.id),
            name=str(v.name),
            languages=[str(lang) for lang in (v.languages or [])],
            gender=v.gender,
        )
        for v in engine.getProperty("voices")
    ]


def _render(
    worker: _EngineThread, engine: Any, text: str, voice: str, rate: int, path: Path
) -> Path:
    if path.is_file():  # a queued duplicate request already rendered it
        return path
    if voice:
        known = {v.id for v in _voices(engine)} | {v.name for v in _voices(engine)}
        if voice not in known:
            raise TtsError(f"Unknown voice {voice!r}; 'parley voices' lists the installed ones.")
    # pyttsx3 swallows errors from setProperty, hence the check above.
    engine.setProperty("voice", voice or worker.default_voice)
    engine.setProperty("rate", rate)
    _settle()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".wav", dir=path.parent)
    os.close(fd)
    try:
        worker.utterance_done.clear()
        engine.save_to_file(text, tmp)
        with _muted_stdout():
            engine.runAndWait()
            # espeak synthesises on its own thread; the file is complete (and the
            # driver's print done) only once it reports the utterance finished.
            if not worker.utterance_done.wait(RENDER_TIMEOUT_S):
                raise TtsError(f"Text-to-speech did not finish rendering {text[:40]!r}.")
        _settle()
        worker.renders += 1
        _check_wav(Path(tmp), text)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path


def _settle() -> None:
    """Waits until espeak's own command queue is empty. In espeak's asynchronous mode a
    new rate is queued, and pyttsx3 starts every run by cancelling whatever espeak still
    has pending: without this the render would use the previous rate."""
    espeak = sys.modules.get("pyttsx3.drivers._espeak")
    if espeak is not None:
        espeak.Synchronize()


def _check_wav(path: Path, text: str) -> None:
    try:
        frames = sf.info(os.fsencode(path)).frames
    except (sf.LibsndfileError, RuntimeError) as err:
        raise TtsError(f"Text-to-speech produced an unreadable file for {text[:40]!r}.") from err
    if frames <= 0:
        raise TtsError(f"Text-to-speech produced no audio for {text[:40]!r}.")
