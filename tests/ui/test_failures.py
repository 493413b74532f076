"""When something breaks, the user hears about it and the log keeps the details: a
callback that raises, an exception no one caught, a message posted before the window
was listening."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from app import __version__
from app.ui import application, messages
from app.ui.about_dialog import AboutDialog
from app.ui.main_window import MainWindow


def test_a_result_callback_that_raises_shows_a_bug_message_and_the_log_keeps_the_traceback(
    qtbot: QtBot, window: MainWindow
) -> None:
    def show_the_count(count: int) -> None:
        raise ZeroDivisionError(f"{count} decks over zero columns")

    window.backend.tasks.background(lambda: len(window.home.decks), on_success=show_the_count)
    qtbot.waitUntil(window.banner.isVisible, timeout=10_000)

    text = window.banner.label.text()
    assert "Something went wrong (ZeroDivisionError" in text
    assert "Your work is saved" in text and str(window.backend.log_file) in text
    assert window.banner.action.text() == "Copy details"
    qtbot.mouseClick(window.banner.action, Qt.MouseButton.LeftButton)
    copied = QApplication.clipboard().text()
    assert "Traceback (most recent call last)" in copied and "show_the_count" in copied

    log_file = window.backend.log_file
    assert log_file is not None and log_file.parent == window.backend.data_dir / "logs"
    logged = log_file.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in logged
    assert "in show_the_count" in logged and "decks over zero columns" in logged


@pytest.mark.qt_no_exception_capture
def test_a_button_whose_handler_raises_reaches_the_bug_message_through_the_excepthook(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The hook the app installs at start, undone after the test.
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    application.install_excepthook()

    def export_everything() -> None:
        raise KeyError("deck that vanished")

    button = QPushButton("Export everything", window)
    button.clicked.connect(export_everything)
    button.show()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    assert window.banner.isVisible()
    assert "Something went wrong (KeyError" in window.banner.label.text()
    assert window.backend.log_file is not None
    logged = window.backend.log_file.read_text(encoding="utf-8")
    assert "in export_everything" in logged and "deck that vanished" in logged


@pytest.mark.qt_no_exception_capture
def test_a_worker_thread_that_dies_is_reported_too(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    application.install_excepthook()

    def decode() -> None:
        raise ValueError("a chunk of odd length")

    worker = threading.Thread(target=decode, name="decoder")
    worker.start()
    worker.join()
    # Posted from the worker, delivered queued on the GUI thread.
    qtbot.waitUntil(window.banner.isVisible, timeout=10_000)
    assert "ValueError" in window.banner.label.text()


def test_a_message_posted_before_the_window_listens_is_shown_once_it_opens(
    qtbot: QtBot, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(messages, "_bridge", None)  # a process that has not shown a window yet
    messages.bridge()
    messages.error("The speech model folder is missing.")
    assert messages.bridge().holding == 1

    win = application.create_window(data_dir)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.home.decks_shown, timeout=30_000):
        win.show()
    assert messages.bridge().holding == 0
    assert win.banner.isVisible()
    assert win.banner.label.text() == "The speech model folder is missing."
    win.close()


def test_help_about_shows_where_the_log_file_is(qtbot: QtBot, window: MainWindow) -> None:
    about = next(a for a in window.actions() if a.text() == "&About Parley")
    about.trigger()
    dialog = window.findChild(AboutDialog)
    assert dialog is not None and dialog.isVisible()
    log_file = window.backend.log_file
    assert log_file is not None and log_file.is_file()
    assert dialog.log_label.text() == str(log_file)
    assert dialog.data_dir_label.text() == str(window.backend.data_dir)
    assert __version__ in dialog.windowTitle() + " ".join(
        label.text() for label in dialog.findChildren(QLabel)
    )
    qtbot.mouseClick(dialog.copy_log, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == str(log_file)
    dialog.close()
