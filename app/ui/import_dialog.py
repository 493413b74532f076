"""Importing and exporting decks from the GUI.

The import dialog parses the file off the GUI thread and shows a preview (deck, counts,
first cards, for CSV the detected columns) before anything changes; importing then runs
on the DB worker with a progress bar and ends with a summary. A broken file is reported
in the dialog and leaves the collection untouched.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QProgressBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.importing import PreparedImport, commit_import, prepare_import
from app.core.views import ImportSummary, RemarkCount
from app.model.errors import KnownError
from app.ui import file_dialogs, messages
from app.ui.backend import Backend
from app.ui.widgets import plain_label, subtle

DECK_FILTER = "Deck files (*.toml *.json *.apkg *.colpkg *.csv *.tsv *.txt);;All files (*)"
PREVIEW_ROWS = 8
MODES = (
    ("Update cards that are already there", "update"),
    ("Keep cards that are already there", "skip"),
    ("Add them again as new cards", "duplicate"),
)


class ImportDialog(QDialog):
    # Emitted with the summary once the import committed (tests wait on it).
    imported = Signal(object)
    preview_ready = Signal()
    failed = Signal(str)

    def __init__(self, backend: Backend, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.path = path
        self.prepared: PreparedImport | None = None
        self.summary: ImportSummary | None = None
        self.setWindowTitle(f"Import {path.name}")
        self.setMinimumSize(720, 480)
        layout = QVBoxLayout(self)
        # File names, deck names and error text: all shown as written.
        self.status = plain_label(f"Reading {path}…", wrap=True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status)
        form = QFormLayout()
        self.deck_name = QLineEdit()
        form.addRow("Into deck", self.deck_name)
        self.mode = QComboBox()
        for label, value in MODES:
            self.mode.addItem(label, value)
        form.addRow("Cards already present", self.mode)
        self.with_scheduling = QCheckBox("Keep the file's review schedule (Anki packages)")
        self.with_scheduling.toggled.connect(self._reload)
        form.addRow("", self.with_scheduling)
        layout.addLayout(form)
        self.mapping_label = subtle()
        layout.addWidget(self.mapping_label)
        self.table = QTableWidget(0, 3)
        self.table.setTabKeyNavigation(False)  # Tab moves on to the buttons
        self.table.setHorizontalHeaderLabels(["Kind", "Front / question", "Back / model answer"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout.addWidget(self.table, 1)
        self.progress = QProgressBar()
        self.progress.hide()
        layout.addWidget(self.progress)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Import")
        self.ok.setEnabled(False)
        self.buttons.accepted.connect(self.run_import)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._read()

    # -- preview ------------------------------------------------------------------------
    def _read(self) -> None:
        data_dir, path = self.backend.data_dir, self.path
        keep = self.with_scheduling.isChecked()
        self.ok.setEnabled(False)
        self.backend.tasks.background(
            lambda: (prepare_import(data_dir, path, with_scheduling=keep), _mapping_hint(path)),
            on_success=self._show_preview,
            on_failure=self._show_failure,
        )

    def _reload(self) -> None:
        if self.prepared is not None:
            self.prepared.discard()
            self.prepared = None
        self._read()

    def _show_preview(self, read: tuple[PreparedImport, str]) -> None:
        prepared, mapping_hint = read
        self.prepared = prepared
        self.mapping_label.setText(mapping_hint)
        data = prepared.data
        kinds = [c.kind for c in data.cards]
        self.status.setText(
            f"{self.path.name}: {kinds.count('flashcard')} flashcards, "
            f"{kinds.count('roleplay')} role-plays, {len(data.media_files)} media files."
            + "".join(
                "\n" + RemarkCount(r.kind, r.reason, len(r.where), r.where[:10]).describe()
                for r in data.remarks
            )
        )
        if not self.deck_name.text():
            self.deck_name.setText(data.name or self.path.stem)
        shown = data.cards[:PREVIEW_ROWS]
        self.table.setRowCount(len(shown))
        for row, card in enumerate(shown):
            cells = (
                (card.kind, card.front, card.back)
                if card.kind == "flashcard"
                else (card.kind, f"[{card.persona}] {card.question}", card.model_answer)
            )
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(" ".join(text.split())))
        self.ok.setEnabled(bool(data.cards))
        if not data.cards:
            self.status.setText(f"{self.path.name}: the file has no cards to import.")
        self.preview_ready.emit()

    def _show_failure(self, exc: BaseException) -> None:
        self.status.setText(f"Cannot import. {exc}\nNothing was changed.")
        self.ok.setEnabled(False)
        self.failed.emit(str(exc))

    # -- import ---------------------------------------------------------------------------
    def run_import(self) -> None:
        prepared = self.prepared
        if prepared is None:
            return
        self.prepared = None  # commit_import owns (and removes) the staging folder now
        deck_name = self.deck_name.text().strip() or None
        mode = self.mode.currentData()
        tasks = self.backend.tasks
        self.ok.setEnabled(False)
        self.progress.show()
        self.progress.setRange(0, max(1, len(prepared.data.cards)))

        def progress(done: int, total: int) -> None:
            tasks.call_on_gui(lambda: self.progress.setValue(done))

        def work() -> ImportSummary:
            # An import can change hundreds of cards at once: first a copy to go back to.
            return commit_import(
                self.backend.store(),
                prepared,
                deck_name=deck_name,
                mode=mode,
                progress=progress,
                backup=True,
            )

        # commit_import opens its own transaction; it runs on the DB worker so it never
        # races another write.
        self.backend.tasks.db(
            work,
            session=False,
            on_success=self._done,
            on_failure=self._show_failure,
        )

    def _done(self, summary: ImportSummary) -> None:
        self.summary = summary
        self.progress.setValue(self.progress.maximum())
        self.status.setText(
            f"Imported into {summary.deck}: {summary.added} added, "
            f"{summary.updated} updated, {summary.unchanged} unchanged, "
            f"{summary.skipped} skipped." + "".join(f"\n{line}" for line in summary.details())
        )
        self.buttons.clear()
        close = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.clicked.connect(self.accept)
        self.backend.collection_changed.emit()
        messages.info(f"Imported {summary.added + summary.updated} cards into {summary.deck}.")
        self.imported.emit(summary)

    def done(self, result: int) -> None:
        if self.prepared is not None:
            self.prepared.discard()
            self.prepared = None
        super().done(result)

    # -- entry points (the seams tests patch) ------------------------------------------------
    @classmethod
    def ask_and_import(cls, parent: QWidget, backend: Backend) -> None:
        if path := file_dialogs.open_file(parent, backend, "Import a deck", DECK_FILTER):
            cls.import_file(parent, backend, path)

    @classmethod
    def import_file(cls, parent: QWidget, backend: Backend, path: Path) -> ImportDialog:
        dialog = cls(backend, path, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()  # window-modal, never blocks the event loop
        return dialog


def _mapping_hint(path: Path) -> str:
    """For CSV files, the detected separator and columns (read off the GUI thread)."""
    if path.suffix.lower() not in (".csv", ".tsv", ".txt"):
        return ""
    from app.formats.csvdeck import preview_csv

    try:
        preview = preview_csv(path, rows=1)
    except KnownError:  # the full read already succeeded; the mapping is only a hint
        return ""
    columns = ", ".join(f"{role} ← column {i + 1}" for role, i in preview.mapping.items())
    sep = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(
        preview.separator, repr(preview.separator)
    )
    return f"Separator: {sep} · {preview.total_rows} rows · columns: {columns}"


def export_selected_deck(parent: QWidget, backend: Backend, deck_name: str | None) -> None:
    if not deck_name:
        messages.error("Choose a deck on the home page first.")
        return
    path = file_dialogs.save_file(
        parent,
        backend,
        f"Export {deck_name}",
        f"{deck_name}.toml",
        "Parley deck (*.toml);;Anki package (*.apkg);;CSV (*.csv)",
    )
    if path:
        export_to(backend, deck_name, path)


def export_to(backend: Backend, deck_name: str, path: Path) -> None:
    from app.core.exporting import export_to_file
    from app.model.paths import media_dir

    media = media_dir(backend.data_dir)
    backend.db(
        lambda s: export_to_file(s, deck_name, path, media_root=media),
        lambda n: messages.info(f"Exported {n} cards to {path}."),
    )
