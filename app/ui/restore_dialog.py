"""File › Restore backup…: the backups with their date and card count; the chosen one
replaces the collection after a confirmation, and the app reopens it.

Restoring runs on the DB worker between closing and reopening the store
(``Backend.reopen_store``), so nothing touches the collection while it is replaced. The
current collection is kept as a backup first, so a restore can itself be undone.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core import backups
from app.core.backups import BackupInfo
from app.model.paths import backups_dir
from app.ui import messages
from app.ui.backend import Backend
from app.ui.widgets import plural, subtle


def describe(info: BackupInfo) -> str:
    cards = "unreadable" if info.cards is None else plural(info.cards, "card")
    return f"{info.created:%A %d %B %Y, %H:%M} ({cards})"


def restore(
    backend: Backend, info: BackupInfo, on_done: Callable[[Path | None], None] | None = None
) -> None:
    """Replace the collection by ``info``'s backup and reopen it."""
    data_dir = backend.data_dir

    def restored(kept: Path | None) -> None:
        messages.info(f"Restored the backup from {describe(info)}.")
        if on_done is not None:
            on_done(kept)

    backend.reopen_store(lambda: backups.restore(data_dir, info.path), on_success=restored)


def restore_latest_good(parent: QWidget | None, backend: Backend) -> None:
    """The banner's "Restore last good backup": find it off the GUI thread, confirm, go."""
    data_dir = backend.data_dir

    def found(info: BackupInfo | None) -> None:
        if info is None:
            messages.error(f"There is no sound backup in {backups_dir(data_dir)} to restore.")
        elif RestoreDialog.confirm(parent, info):
            restore(backend, info)

    backend.tasks.background(lambda: backups.latest_good_backup(data_dir), on_success=found)


class RestoreDialog(QDialog):
    listed = Signal(list)  # the BackupInfo rows, once shown

    def __init__(self, parent: QWidget | None, backend: Backend) -> None:
        super().__init__(parent)
        self.backend = backend
        self.backups: list[BackupInfo] = []
        self.setWindowTitle("Restore backup")
        self.resize(620, 420)
        layout = QVBoxLayout(self)
        layout.addWidget(
            subtle(
                "Parley backs up your collection when it starts and every half hour of use. "
                "Restoring replaces the collection; the current one is kept as a backup."
            )
        )
        self.table = QTableWidget(0, 3)
        self.table.setTabKeyNavigation(False)  # Tab moves on to the buttons
        self.table.setHorizontalHeaderLabels(["Made", "Cards", "Size"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.itemDoubleClicked.connect(lambda _item: self.restore_selected())
        layout.addWidget(self.table, 1)
        self.status = subtle("Looking for backups…")
        layout.addWidget(self.status)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button = QPushButton("Restore…")
        self.restore_button.setObjectName("Primary")
        self.restore_button.setEnabled(False)
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.restore_button.clicked.connect(self.restore_selected)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.load()

    # -- the seams tests patch ----------------------------------------------------------
    @classmethod
    def ask(cls, parent: QWidget | None, backend: Backend) -> None:
        cls(parent, backend).open()

    @staticmethod
    def confirm(parent: QWidget | None, info: BackupInfo) -> bool:
        answer = QMessageBox.question(
            parent,
            "Restore backup",
            f"Replace your collection with the backup from {describe(info)}?\n\n"
            "Your current collection is kept as a backup, so you can go back to it.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    # -- listing --------------------------------------------------------------------------
    def load(self) -> None:
        data_dir = self.backend.data_dir
        self.backend.tasks.background(lambda: backups.list_backups(data_dir), on_success=self._show)

    def _show(self, found: list[BackupInfo]) -> None:
        self.backups = found
        self.table.setRowCount(len(found))
        for row, info in enumerate(found):
            made = QTableWidgetItem(f"{info.created:%a %d %b %Y  %H:%M}")
            made.setToolTip(str(info.path))
            cards = QTableWidgetItem("damaged" if info.cards is None else str(info.cards))
            size = QTableWidgetItem(f"{info.size / 1e6:.1f} MB")
            for col, item in enumerate((made, cards, size)):
                if col:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, col, item)
        if found:
            folder = backups_dir(self.backend.data_dir)
            self.status.setText(f"{plural(len(found), 'backup')} in {folder}")
            self.table.selectRow(0)
        else:
            self.status.setText("There are no backups yet.")
        self.listed.emit(found)

    def _selection_changed(self) -> None:
        self.restore_button.setEnabled(self.selected() is not None)

    def selected(self) -> BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.backups[rows[0].row()] if rows else None

    def restore_selected(self) -> None:
        info = self.selected()
        if info is None or not self.confirm(self, info):
            return
        restore(self.backend, info)
        self.accept()
