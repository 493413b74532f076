"""Bringing a deck in from the GUI: preview first, then import, or a clear refusal."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.ui.import_dialog import ImportDialog
from app.ui.main_window import MainWindow


def drop_file(window: MainWindow, path: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPoint(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)


def open_dialog() -> ImportDialog:
    dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, ImportDialog)]
    assert len(dialogs) == 1
    return dialogs[0]


def test_dropping_a_csv_previews_it_then_imports_it_as_a_new_deck(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    csv = tmp_path / "interview.csv"
    csv.write_text(
        "#separator:Comma\n#columns:Front,Back,Tags\n"
        "What is a vector DB?,A store searched by embedding similarity,terms\n"
        "What is latency?,Time to the first token,terms perf\n"
        "What is a token?,A chunk of text the model reads,terms\n"
        "What is a shard?,,terms\n",
        encoding="utf-8",
    )
    drop_file(window, csv)
    dialog = open_dialog()
    qtbot.waitUntil(lambda: dialog.ok.isEnabled(), timeout=10_000)
    assert "3 flashcards" in dialog.status.text()
    assert "1 skipped: card with an empty back (line 6)" in dialog.status.text()
    assert dialog.table.rowCount() == 3
    question = dialog.table.item(1, 1)
    assert question is not None and question.text() == "What is latency?"
    assert "column" in dialog.mapping_label.text()
    dialog.deck_name.setText("Interview terms")
    with (
        qtbot.waitSignal(window.home.decks_shown, timeout=10_000),
        qtbot.waitSignal(dialog.imported, timeout=10_000) as signal,
    ):
        dialog.ok.click()
    assert signal.args[0].added == 3
    assert "3 added" in dialog.status.text()
    assert "1 skipped: card with an empty back (line 6)" in dialog.status.text()
    names = [d.name for d in window.home.decks]
    assert "Interview terms" in names
    dialog.close()


def test_a_broken_file_is_refused_in_the_dialog_and_nothing_changes(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    bad = tmp_path / "deck.apkg"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)
    decks_before = [(d.name, d.flashcards) for d in window.home.decks]
    drop_file(window, bad)
    dialog = open_dialog()
    with qtbot.waitSignal(dialog.failed, timeout=10_000) as signal:
        pass
    assert str(bad) in signal.args[0]
    assert "Nothing was changed" in dialog.status.text()
    assert not dialog.ok.isEnabled()
    dialog.close()
    with qtbot.waitSignal(window.home.decks_shown, timeout=10_000):
        window.home.refresh()
    assert [(d.name, d.flashcards) for d in window.home.decks] == decks_before


def test_every_import_is_preceded_by_a_backup_of_the_collection_as_it_was(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, data_dir: Path
) -> None:
    import sqlite3
    from contextlib import closing

    from app.core import backups

    csv = tmp_path / "two.csv"
    csv.write_text("What is a token?,A chunk of text\nWhat is RAG?,Retrieval first\n", "utf-8")
    drop_file(window, csv)
    dialog = open_dialog()
    qtbot.waitUntil(lambda: dialog.ok.isEnabled(), timeout=10_000)
    dialog.deck_name.setText("Two cards")
    with qtbot.waitSignal(dialog.imported, timeout=10_000):
        dialog.ok.click()
    dialog.close()
    (made,) = [
        b.path
        for b in backups.list_backups(data_dir, with_cards=False)
        if "before-import" in b.path.name
    ]
    with closing(sqlite3.connect(made)) as db:
        names = [name for (name,) in db.execute("select name from deck")]
    assert "Two cards" not in names and "RAG vs Fine-Tuning" in names
