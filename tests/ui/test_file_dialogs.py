"""File dialogs open in the folder the user last chose in any of them, this run and
the next; a cancelled dialog changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QFileDialog
from pytestqt.qtbot import QtBot

from app.model.settings import Settings
from app.ui.application import create_window
from app.ui.import_dialog import ImportDialog
from app.ui.main_window import MainWindow
from app.ui.settings_dialog import SettingsDialog


class FileDialogs:
    """Stands in for the desktop's file dialogs: records where each one opened and
    answers with the next prepared reply ("" is a cancel)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.opened_in: list[str] = []
        self.replies: list[str] = []

        def pick(_parent, _caption, where, _filters=""):  # type: ignore[no-untyped-def]
            self.opened_in.append(where)
            return self.replies.pop(0), ""

        def pick_folder(_parent, _caption, where):  # type: ignore[no-untyped-def]
            self.opened_in.append(where)
            return self.replies.pop(0)

        monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(pick))
        monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(pick))
        monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(pick_folder))


def close_import_dialogs() -> None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, ImportDialog):
            widget.reject()


def test_export_and_model_install_open_where_the_last_import_came_from_even_after_a_restart(
    qtbot: QtBot,
    window: MainWindow,
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    downloads = tmp_path / "Downloads"
    downloads.mkdir()
    deck = downloads / "terms.csv"
    deck.write_text("What is a token?,A chunk of text the model reads\n", encoding="utf-8")
    dialogs = FileDialogs(monkeypatch)

    dialogs.replies = [str(deck)]
    window.import_action.trigger()
    assert dialogs.opened_in == [str(Path.home())], "the very first dialog opens at home"
    close_import_dialogs()

    dialogs.replies = [""]  # the export is cancelled
    window.export_action.trigger()
    deck_name = window.home.selected_deck()
    assert dialogs.opened_in[-1] == str(downloads / f"{deck_name}.toml")

    settings = SettingsDialog(window.backend, window)
    qtbot.addWidget(settings)
    dialogs.replies = [""]
    settings.install_button.click()
    assert dialogs.opened_in[-1] == str(downloads)
    models = tmp_path / "models"
    (models / "vosk-small").mkdir(parents=True)
    dialogs.replies = [str(models / "vosk-small")]
    settings._choose_model_dir("vosk")
    assert settings.model_fields["vosk"].text() == str(models / "vosk-small")
    settings.apply()  # saving the dialog keeps the folder its own file dialog chose
    settings.stop_meter()
    window.close()

    qtbot.waitUntil(lambda: Settings.load(data_dir).last_folder == str(models), timeout=5_000)
    again = create_window(data_dir)
    qtbot.addWidget(again)
    with qtbot.waitSignal(again.home.decks_shown, timeout=30_000):
        again.show()
    dialogs.replies = [""]
    again.import_action.trigger()
    assert dialogs.opened_in[-1] == str(models)
    again.close()


def test_a_remembered_folder_that_was_since_removed_gives_way_to_the_home_folder(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = tmp_path / "usb-stick"  # the last run imported from a stick that is out now
    Settings(last_folder=str(gone), first_run_done=True).save(data_dir)
    window = create_window(data_dir)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.home.decks_shown, timeout=30_000):
        window.show()
    dialogs = FileDialogs(monkeypatch)
    dialogs.replies = [""]
    window.import_action.trigger()
    assert dialogs.opened_in == [str(Path.home())]
    assert window.backend.settings.last_folder == str(gone), "a cancel remembers nothing"
    window.close()
