"""Renaming and deleting a deck from the window, and backing up on demand.

Deleting names what will be lost and asks first; then a backup is made and the deck
deleted on the DB worker, and the banner offers Undo, which puts back every card with
its history. The questions are asked through ``DeckQuestions`` so tests answer them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget

from app.core.clock import utcnow
from app.model.errors import KnownError
from app.ui import messages
from app.ui.backend import Backend

BEFORE_DELETE = "before-delete"
BY_HAND = "by-hand"

Notify = Callable[[str, str, tuple[str, Callable[[], None]] | None], None]


class DeckQuestions:
    """The seam tests patch: the two questions deck actions ask."""

    @staticmethod
    def new_name(parent: QWidget, name: str) -> str | None:
        text, ok = QInputDialog.getText(
            parent,
            "Rename deck",
            "New name (use Parent::Child to nest it):",
            QLineEdit.EchoMode.Normal,
            name,
        )
        return text if ok else None

    @staticmethod
    def confirm_delete(parent: QWidget, name: str, loss: str) -> bool:
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Delete deck")
        # Deck names are shown as written, never as HTML.
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(f"Delete “{name}”?")
        box.setInformativeText(
            f"This deletes {loss}. A backup is made first, and Undo brings it all back."
        )
        box.setStandardButtons(QMessageBox.StandardButton.Cancel)
        delete = box.addButton("Delete deck", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is delete


def _failed(notify: Notify) -> Callable[[BaseException], None]:
    def failed(exc: BaseException) -> None:
        if isinstance(exc, KnownError):
            notify(str(exc), "error", None)
        else:
            from app.ui.tasks import report_failure

            report_failure(exc)

    return failed


def rename_deck(
    parent: QWidget, backend: Backend, name: str, notify: Notify, done: Callable[[str], None]
) -> None:
    new = DeckQuestions.new_name(parent, name)
    if new is None or new == name:
        return

    def work(s: Any) -> str:
        from app.core import services

        return services.rename_deck(s, name, new)

    def renamed(result: str) -> None:
        notify(f"Renamed “{name}” to “{result}”.", "info", None)
        done(result)

    backend.db(work, renamed, changes=True, on_failure=_failed(notify))


def delete_deck(
    parent: QWidget, backend: Backend, name: str, notify: Notify, done: Callable[[], None]
) -> None:
    """Ask (naming what is lost), back up, delete; the notice offers Undo."""

    def loss(s: Any) -> str:
        from app.core import services

        return services.deck_loss(s, name).describe()

    def ask(described: str) -> None:
        if DeckQuestions.confirm_delete(parent, name, described):
            _delete(backend, name, described, notify, done)

    backend.db(loss, ask, on_failure=_failed(notify))


def _delete(
    backend: Backend, name: str, described: str, notify: Notify, done: Callable[[], None]
) -> None:
    def work() -> Any:
        from app.core import backups, services

        store = backend.store()
        backups.create_backup(store.db_path, store.data_dir, utcnow(), tag=BEFORE_DELETE)
        with store.session() as s:
            return services.delete_deck_with_undo(s, name)

    def deleted(change: Any) -> None:
        from app.core.editing import remember_removed

        if remember_removed(backend.settings, change):
            backend.save_settings(backend.settings)
        backend.collection_changed.emit()
        notify(
            f"Deleted “{name}” ({described}). A backup was made first.",
            "info",
            ("Undo", lambda: _undo(backend, change, notify, done)),
        )
        done()

    backend.tasks.db(work, session=False, on_success=deleted, on_failure=_failed(notify))


def _undo(backend: Backend, change: Any, notify: Notify, done: Callable[[], None]) -> None:
    def work(s: Any) -> str:
        from app.core import services

        return services.undo(s, change)

    def undone(_description: str) -> None:
        from app.core.editing import remember_removed

        if remember_removed(backend.settings, change, undone=True):
            backend.save_settings(backend.settings)
        notify("The deck is back, with all its cards and their history.", "info", None)
        done()

    backend.db(work, undone, changes=True, on_failure=_failed(notify))


def back_up_now(backend: Backend) -> None:
    def work() -> Any:
        from app.core import backups

        store = backend.store()
        path = backups.create_backup(store.db_path, store.data_dir, utcnow(), tag=BY_HAND)
        backups.prune(store.data_dir, utcnow())
        return path

    backend.tasks.db(work, session=False, on_success=lambda p: messages.info(f"Backed up to {p}."))
