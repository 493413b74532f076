"""A real main window over a fresh data dir, opened the way the app opens it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.ui.application import create_window
from app.ui.main_window import MainWindow

from scripted_mic import ScriptedMicrophone


@pytest.fixture
def window(qtbot: QtBot, data_dir: Path) -> Iterator[MainWindow]:
    win = create_window(data_dir)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.home.decks_shown, timeout=30_000):
        win.show()
    yield win
    win.close()


@pytest.fixture
def quiet_window(qtbot: QtBot, data_dir: Path) -> Iterator[MainWindow]:
    """A window that does not read questions aloud: in tests the speakers feed the
    virtual microphone, and a spoken question would end up in the answer."""
    from app.model.settings import Settings

    data_dir.mkdir(parents=True, exist_ok=True)
    Settings(speak_questions=False, input_device="vmic").save(data_dir)
    win = create_window(data_dir)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.home.decks_shown, timeout=30_000):
        win.show()
    yield win
    win.close()


@pytest.fixture
def scripted_mic(quiet_window: MainWindow) -> ScriptedMicrophone:
    """The quiet window's recordings hear what the test ``say()``s, fast and without a
    sound server (the real microphone has its own tests, marked ``pulse``)."""
    mic = ScriptedMicrophone()
    quiet_window.backend.audio_source = mic
    return mic


@pytest.fixture(scope="session")
def flite(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """``flite(text)`` → a WAV of flite's clear ``rms`` voice saying ``text``."""
    import hashlib
    import shutil
    import subprocess

    if shutil.which("flite") is None:
        pytest.skip("flite is not installed (apt install flite)")
    folder = tmp_path_factory.mktemp("ui-flite")

    def synth(text: str) -> Path:
        out = folder / f"{hashlib.sha1(text.encode()).hexdigest()[:16]}.wav"
        if not out.exists():
            subprocess.run(["flite", "-voice", "rms", "-t", text, "-o", str(out)], check=True)
        return out

    return synth
