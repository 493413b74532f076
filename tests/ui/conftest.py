"""A real main window over a fresh data dir, opened the way the app opens it, and a guard
that fails any UI test in which a modal dialog opens."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox
from pytestqt.qtbot import QtBot

from app.ui.application import create_window
from app.ui.main_window import MainWindow

from scripted_mic import ScriptedMicrophone


@pytest.fixture(autouse=True)
def no_modal_dialogs(qapp: QApplication) -> Iterator[None]:
    """Every dialog the app runs with ``exec()`` has a seam the tests patch (``ask_...``,
    ``SettingsDialog.edit``). One that runs anyway has nobody to answer it offscreen:
    its ``exec()`` would block the test, and every wait and timeout inside it, for good.
    So it is answered with Cancel (reject) at once, which lets the test go on, and the
    test fails naming the dialog. ``exec()`` (and QMessageBox's questions) make a dialog
    application-modal; a window-modal one, from ``open()`` (the import dialog), blocks
    nothing and is the test's to drive."""
    opened: list[str] = []

    def check() -> None:
        dialog = QApplication.activeModalWidget()
        if (
            isinstance(dialog, QDialog)
            and dialog.windowModality() == Qt.WindowModality.ApplicationModal
        ):
            text = dialog.text() if isinstance(dialog, QMessageBox) else ""
            opened.append(f"{dialog.windowTitle()!r} {text!r}".strip())
            dialog.reject()

    # Checked on the GUI thread: a dialog's exec() runs its own event loop, which still
    # delivers this timer. Every half second costs nothing next to a UI test.
    timer = QTimer()
    timer.setInterval(500)
    timer.timeout.connect(check)
    timer.start()
    yield
    timer.stop()
    if opened:
        pytest.fail(
            f"a modal dialog opened with nobody to answer it: {'; '.join(opened)}. "
            "Patch its seam in the test.",
            pytrace=False,
        )


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
