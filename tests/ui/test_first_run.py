"""The first run explains which engine listens, once; and the whole app works
with the network switched off."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLabel
from pytestqt.qtbot import QtBot

from app.model.settings import Settings
from app.ui.application import create_window
from app.ui.main_window import MainWindow
from app.ui.settings_dialog import SettingsDialog

from no_network import NetworkAttempts, no_network  # noqa: F401 (fixture, found by name)


def test_first_run_names_the_builtin_engine_and_offers_a_model_zip_once(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    panel = window.home.first_run
    qtbot.waitUntil(panel.isVisible, timeout=10_000)
    texts = " ".join(label.text() for label in panel.findChildren(QLabel))
    assert "Whisper" in texts and ".zip" in texts
    qtbot.mouseClick(panel.keep, Qt.MouseButton.LeftButton)
    assert not panel.isVisible()
    qtbot.waitUntil(lambda: Settings.load(data_dir).first_run_done, timeout=5_000)
    window.close()

    again = create_window(data_dir)
    qtbot.addWidget(again)
    # The choice is offered, or not, when the collection is open; the decks show after.
    with qtbot.waitSignals([again.backend.store_ready, again.home.decks_shown], timeout=30_000):
        again.show()
    assert not again.home.first_run.isVisible()
    again.close()


def test_cancelling_the_model_file_dialog_leaves_the_first_run_choice_open(
    qtbot: QtBot,
    window: MainWindow,
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    panel = window.home.first_run
    qtbot.waitUntil(panel.isVisible, timeout=10_000)
    replies = [""]  # the user closes the file dialog without choosing
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *a: (replies.pop(0), ""))
    )
    installing: list[Path | None] = []
    monkeypatch.setattr(
        SettingsDialog,
        "edit",
        classmethod(lambda cls, p, b, install_zip=None: installing.append(install_zip)),
    )
    qtbot.mouseClick(panel.install, Qt.MouseButton.LeftButton)
    assert panel.isVisible() and not window.backend.settings.first_run_done
    assert installing == []

    model = tmp_path / "vosk-model-small-en-us-0.15.zip"
    replies.append(str(model))
    qtbot.mouseClick(panel.install, Qt.MouseButton.LeftButton)
    assert installing == [model]
    assert not panel.isVisible()
    qtbot.waitUntil(lambda: Settings.load(data_dir).first_run_done, timeout=5_000)


def test_a_full_rehearsal_makes_no_network_call(
    qtbot: QtBot,
    data_dir: Path,
    no_network: NetworkAttempts,  # noqa: F811
) -> None:
    data_dir.mkdir(parents=True)
    Settings(speak_questions=True).save(data_dir)
    window = create_window(data_dir)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.home.decks_shown, timeout=30_000):
        window.show()
    page = window.rehearsal
    with qtbot.waitSignal(page.question_shown, timeout=10_000):
        qtbot.keyClick(window.home.list, Qt.Key.Key_P)
    qtbot.waitUntil(lambda: page.engine_choice is not None, timeout=30_000)
    card = page.current
    assert card is not None
    qtbot.keyClick(page, Qt.Key.Key_T)
    page.typed.insertPlainText(card.model_answer)
    with qtbot.waitSignal(page.result_shown, timeout=20_000):
        qtbot.keyClick(page.typed, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    page.play_model_answer()
    with qtbot.waitSignal(page.question_shown, timeout=10_000):
        qtbot.keyClick(page, Qt.Key.Key_Return)
    window.close()
    assert no_network.attempts == []
