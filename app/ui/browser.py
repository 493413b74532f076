"""The card browser (Ctrl+B): every card of every deck in a table, searched, sorted and
edited in place, with suspend, bury, reset, move, tags and delete, each undoable (Ctrl+Z).

Searching and every change run on the DB worker; the table shows the result when it
arrives. The editor beside the table edits the current card; with several cards
selected, the actions apply to all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.clock import utcnow
from app.core.editing import CardFields, Undo, format_key_points, parse_key_points
from app.core.views import CardView
from app.model.errors import KnownError
from app.ui.backend import Backend
from app.ui.widgets import Banner, plain_label, plural, subtle, tab_order, title

if TYPE_CHECKING:
    from app.core.store import Session

COLUMNS = ("Card", "Answer", "Deck", "Kind", "Due", "State", "Tags")
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_HELP = (
    "Words to find, and filters: deck:Name  tag:word  kind:roleplay  is:due  is:new  "
    "is:suspended  is:buried  (quote values with spaces)"
)


def card_state(card: CardView) -> str:
    if card.suspended:
        return "suspended"
    if card.buried:
        return "buried"
    return card.state


class CardTable(QAbstractTableModel):
    """The search result; cells are plain text (item views never render HTML)."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: list[CardView] = []

    def set_cards(self, cards: list[CardView]) -> None:
        self.beginResetModel()
        self.cards = cards
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.cards)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        card = self.cards[index.row()]
        column = COLUMNS[index.column()]
        if role == SORT_ROLE:
            if column == "Due":
                return "" if card.due is None or card.is_new else card.due.isoformat()
            return self._text(card, column).lower()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(card, column)
        return None

    @staticmethod
    def _text(card: CardView, column: str) -> str:
        flash = card.kind == "flashcard"
        if column == "Card":
            text = card.front if flash else f"[{card.persona}] {card.question}"
        elif column == "Answer":
            text = card.back if flash else card.model_answer
        elif column == "Deck":
            text = card.deck
        elif column == "Kind":
            text = "flashcard" if flash else "role-play"
        elif column == "Due":
            text = "new" if card.is_new or card.due is None else f"{card.due.astimezone():%Y-%m-%d}"
        elif column == "State":
            text = card_state(card)
        else:
            text = " ".join(card.tags)
        return " ".join(text.split())[:200]  # one line per row


class CardEditor(QWidget):
    """The current card's fields; Save (Ctrl+S) writes them."""

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.heading = plain_label("", "SectionTitle")
        layout.addWidget(self.heading)
        self.where = QWidget()
        where = QFormLayout(self.where)
        where.setContentsMargins(0, 0, 0, 0)
        self.deck_choice = QComboBox()
        self.deck_choice.setAccessibleName("Deck of the new card")
        self.kind_choice = QComboBox()
        self.kind_choice.addItem("Flashcard", "flashcard")
        self.kind_choice.addItem("Role-play", "roleplay")
        self.kind_choice.setAccessibleName("Kind of the new card")
        self.kind_choice.currentIndexChanged.connect(lambda _i: self._show_kind())
        where.addRow(plain_label("Deck"), self.deck_choice)
        where.addRow(plain_label("Kind"), self.kind_choice)
        layout.addWidget(self.where)

        self.stack = QStackedWidget()
        flash = QWidget()
        fl = QFormLayout(flash)
        fl.setContentsMargins(0, 0, 0, 0)
        self.front = self._text("Front")
        self.back = self._text("Back")
        fl.addRow(plain_label("Front"), self.front)
        fl.addRow(plain_label("Back"), self.back)
        self.stack.addWidget(flash)
        play = QWidget()
        pl = QFormLayout(play)
        pl.setContentsMargins(0, 0, 0, 0)
        self.persona = QLineEdit()
        self.persona.setAccessibleName("Persona")
        self.question = self._text("Question")
        self.model_answer = self._text("Model answer")
        self.key_points = self._text("Key points")
        self.key_points.setPlaceholderText("One a line: label | alternative | alternative")
        pl.addRow(plain_label("Persona"), self.persona)
        pl.addRow(plain_label("Question"), self.question)
        pl.addRow(plain_label("Model answer"), self.model_answer)
        pl.addRow(plain_label("Key points"), self.key_points)
        self.stack.addWidget(play)
        layout.addWidget(self.stack, 1)
        tags = QFormLayout()
        self.tags = QLineEdit()
        self.tags.setAccessibleName("Tags")
        self.tags.setPlaceholderText("space-separated")
        tags.addRow(plain_label("Tags"), self.tags)
        layout.addLayout(tags)
        self.error = plain_label("", "ErrorText", wrap=True)
        self.error.hide()
        layout.addWidget(self.error)
        row = QHBoxLayout()
        row.addStretch(1)
        self.revert_button = QPushButton("Revert")
        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("Primary")
        self.save_button.setToolTip("Save this card (Ctrl+S)")
        row.addWidget(self.revert_button)
        row.addWidget(self.save_button)
        layout.addLayout(row)
        self.card: CardView | None = None
        self.adding = False
        self.show_card(None)

    @staticmethod
    def _text(name: str) -> QPlainTextEdit:
        edit = QPlainTextEdit()
        edit.setAccessibleName(name)
        edit.setTabChangesFocus(True)  # Tab moves on, as in a form
        edit.setMinimumHeight(48)
        return edit

    def _show_kind(self) -> None:
        kind = self.kind_choice.currentData() if self.adding else (self.card and self.card.kind)
        self.stack.setCurrentIndex(1 if kind == "roleplay" else 0)

    def show_card(self, card: CardView | None) -> None:
        self.card, self.adding = card, False
        self.where.hide()
        self.error.hide()
        for edit in (self.front, self.back, self.question, self.model_answer, self.key_points):
            edit.setPlainText("")
        self.persona.setText("")
        self.tags.setText("")
        enabled = card is not None
        for w in (self.stack, self.tags, self.save_button, self.revert_button):
            w.setEnabled(enabled)
        if card is None:
            self.heading.setText("No card selected")
            return
        self.heading.setText(
            f"{'Flashcard' if card.kind == 'flashcard' else 'Role-play'} · {card.deck}"
        )
        self.front.setPlainText(card.front)
        self.back.setPlainText(card.back)
        self.persona.setText(card.persona)
        self.question.setPlainText(card.question)
        self.model_answer.setPlainText(card.model_answer)
        self.key_points.setPlainText(format_key_points(card.key_points))
        self.tags.setText(" ".join(card.tags))
        self._show_kind()

    def start_adding(self, decks: list[str], deck: str | None) -> None:
        self.show_card(None)
        self.adding = True
        self.heading.setText("New card")
        self.deck_choice.clear()
        self.deck_choice.addItems(decks)
        if deck in decks:
            self.deck_choice.setCurrentIndex(decks.index(deck))
        self.where.show()
        for w in (self.stack, self.tags, self.save_button, self.revert_button):
            w.setEnabled(True)
        self._show_kind()
        self.front.setFocus()

    def fields(self) -> CardFields:
        """What the form holds; a ``KnownError`` names a line it cannot read."""
        kind = self.kind_choice.currentData() if self.adding else (self.card and self.card.kind)
        tags = self.tags.text().split()
        if kind == "roleplay":
            return CardFields(
                persona=self.persona.text(),
                question=self.question.toPlainText(),
                model_answer=self.model_answer.toPlainText(),
                key_points=parse_key_points(self.key_points.toPlainText()),
                tags=tags,
            )
        return CardFields(front=self.front.toPlainText(), back=self.back.toPlainText(), tags=tags)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()


class BrowserPage(QWidget):
    finished = Signal()
    # Emitted each time a search result is shown (tests wait on it).
    loaded = Signal()
    # Emitted when a change was written (its description).
    changed = Signal(str)

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.setObjectName("Page")
        self.backend = backend
        self.undo_stack: list[Any] = []
        self._wanted: list[int] = []  # card ids to select once the next result arrives
        self._deck_names: list[str] = []

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        top = QHBoxLayout()
        top.addWidget(title("Browse cards"), 1)
        self.count_label = subtle(wrap=False)
        top.addWidget(self.count_label)
        back = QPushButton("Back to decks")
        back.setToolTip("Leave the browser (Esc)")
        back.clicked.connect(self.finished)
        top.addWidget(back)
        layout.addLayout(top)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search: words, deck:Name, tag:word, is:due, is:suspended …")
        self.search.setToolTip(SEARCH_HELP)
        self.search.setAccessibleName("Search cards")
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self.refresh)
        layout.addWidget(self.search)
        self.banner = Banner()
        layout.addWidget(self.banner)

        actions = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for key, text, tip, slot in (
            ("add", "Add card", "Add a card (Ctrl+N)", self.add_card),
            (
                "suspend",
                "Suspend",
                "Suspend or unsuspend the selected cards (Ctrl+J)",
                self.toggle_suspended,
            ),
            ("bury", "Bury", "Keep the selected cards out of today's queue", self.bury),
            ("reset", "Reset", "Make the selected cards new again", self.reset),
            (
                "move",
                "Move…",
                "Move the selected cards to another deck (Ctrl+D)",
                self.move_to_deck,
            ),
            ("tag", "Add tag…", "Add a tag to the selected cards", self.add_tag),
            ("delete", "Delete", "Delete the selected cards (Del; Ctrl+Z undoes)", self.delete),
            ("undo", "Undo", "Undo the last change (Ctrl+Z)", self.undo),
        ):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            actions.addWidget(button)
            self.buttons[key] = button
        actions.addStretch(1)
        layout.addLayout(actions)

        self.model = CardTable()
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        # Arrows move between cells; Tab leaves the table for the editor beside it.
        self.table.setTabKeyNavigation(False)
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("Cards")
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the deck's own order
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((260, 220, 150, 80, 90, 80)):
            header.resizeSection(column, width)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())

        self.editor = CardEditor()
        self.editor.save_button.clicked.connect(self.save)
        self.editor.revert_button.clicked.connect(lambda: self.editor.show_card(self.editor.card))
        editor_scroll = QScrollArea()
        editor_scroll.setWidgetResizable(True)
        editor_scroll.setWidget(self.editor)
        editor_scroll.setMinimumWidth(260)
        # Tab goes to the fields inside, and the area scrolls to show each of them.
        editor_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(editor_scroll)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        layout.addWidget(split, 1)
        # Reading order: the buttons above the table come before it, the editor after.
        tab_order(back, self.search, *self.buttons.values(), self.table, self.editor.deck_choice)

        for key, handler in (
            ("Escape", self.finished.emit),
            ("Ctrl+F", self.search.setFocus),
            ("Ctrl+S", self.save),
            ("Ctrl+N", self.add_card),
            ("Ctrl+J", self.toggle_suspended),
            ("Ctrl+D", self.move_to_deck),
            ("Ctrl+Z", self.undo),
            ("Delete", self.delete),
        ):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(handler)
        backend.collection_changed.connect(self._collection_changed)
        self._update_buttons()

    # -- seams for the few questions a change asks (tests patch these) ------------------
    def ask_deck(self, decks: list[str]) -> str | None:
        name, ok = QInputDialog.getItem(self, "Move cards", "Move to deck:", decks, 0, False)
        return name if ok and name else None

    def ask_tag(self) -> str | None:
        text, ok = QInputDialog.getText(self, "Add tag", "Tag to add (one word):")
        return text if ok and text.strip() else None

    # -- loading ------------------------------------------------------------------------
    def open(self, search: str = "") -> None:
        self.search.blockSignals(True)
        self.search.setText(search)
        self.search.blockSignals(False)
        self.refresh()
        self.search.setFocus()

    def _collection_changed(self) -> None:
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        self._search_timer.stop()
        text = self.search.text()

        def load(s: Session) -> tuple[list[str], list[CardView]]:
            from app.core import services

            decks = [d.name for d in services.list_decks(s, utcnow(), 0, 0)]
            return decks, services.find_cards(s, text, utcnow())

        def failed(exc: BaseException) -> None:
            if isinstance(exc, KnownError):
                self.count_label.setText(str(exc))
            else:
                from app.ui.tasks import report_failure

                report_failure(exc)

        self.backend.db(load, self._show, on_failure=failed)

    def _show(self, payload: tuple[list[str], list[CardView]]) -> None:
        decks, cards = payload
        self._deck_names = decks
        keep = self._wanted or [c.id for c in self.selected_cards()]
        current = self.editor.card.id if self.editor.card is not None else None
        self.model.set_cards(cards)
        self.count_label.setText(plural(len(cards), "card"))
        self._wanted = []
        self.select_ids(keep)
        if not keep and current is None and not self.editor.adding:
            self.editor.show_card(None)
        self.loaded.emit()

    def select_ids(self, ids: list[int]) -> None:
        selection = self.table.selectionModel()
        selection.clearSelection()
        first = None
        for row, card in enumerate(self.model.cards):
            if card.id in ids:
                index = self.proxy.mapFromSource(self.model.index(row, 0))
                flags = (
                    QItemSelectionModel.SelectionFlag.Select
                    | QItemSelectionModel.SelectionFlag.Rows
                )
                selection.select(index, flags)
                first = first or index
        if first is not None:
            selection.setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.table.scrollTo(first)
        self._selection_changed()

    def selected_cards(self) -> list[CardView]:
        rows = {self.proxy.mapToSource(i).row() for i in self.table.selectionModel().selectedRows()}
        return [self.model.cards[r] for r in sorted(rows)]

    def _selection_changed(self) -> None:
        cards = self.selected_cards()
        if not self.editor.adding or cards:
            self.editor.show_card(cards[0] if len(cards) == 1 else None)
            if len(cards) > 1:
                self.editor.heading.setText(f"{len(cards)} cards selected")
        self._update_buttons()

    def _update_buttons(self) -> None:
        cards = self.selected_cards()
        for key in ("suspend", "bury", "reset", "move", "tag", "delete"):
            self.buttons[key].setEnabled(bool(cards))
        all_suspended = bool(cards) and all(c.suspended for c in cards)
        self.buttons["suspend"].setText("Unsuspend" if all_suspended else "Suspend")
        self.buttons["undo"].setEnabled(bool(self.undo_stack))

    # -- changes --------------------------------------------------------------------------
    def _write(
        self,
        work: Callable[[Session], Undo | None],
        done_text: str,
        select: list[int] | None = None,
    ) -> None:
        """Run ``work(session)`` on the DB worker; an ``Undo`` it returns goes on the stack."""

        def written(result: Undo | None) -> None:
            if result is not None:
                self.undo_stack.append(result)
            self.banner.show_message(done_text, "info", timeout_ms=8000)
            self._wanted = select or []
            self.changed.emit(done_text)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, KnownError):
                self.banner.show_message(str(exc), "error")
            else:
                from app.ui.tasks import report_failure

                report_failure(exc)

        self.backend.db(work, written, changes=True, on_failure=failed)

    def save(self) -> None:
        editor = self.editor
        if editor.card is None and not editor.adding:
            return
        try:
            fields = editor.fields()
        except KnownError as exc:
            editor.show_error(str(exc))
            return
        now = utcnow()
        if editor.adding:
            deck, kind = editor.deck_choice.currentText(), str(editor.kind_choice.currentData())

            def add(s: Session) -> int:
                from app.core import services

                return services.add_card(s, deck, kind, fields, now)

            def added(card_id: int) -> None:
                editor.adding = False
                self.banner.show_message(f"Added a card to {deck}.", "info", timeout_ms=8000)
                self._wanted = [card_id]
                self.changed.emit("add")

            self.backend.db(add, added, changes=True, on_failure=self._editor_failed)
            return
        if editor.card is None:  # neither adding nor editing: nothing to save
            return
        card_id = editor.card.id

        def edit(s: Session) -> Undo:
            from app.core import services

            return services.edit_card(s, card_id, fields, now)

        def edited(change: Any) -> None:
            self.undo_stack.append(change)
            self.banner.show_message("Saved the card.", "info", timeout_ms=8000)
            self._wanted = [card_id]
            self.changed.emit("edit")

        self.backend.db(edit, edited, changes=True, on_failure=self._editor_failed)

    def _editor_failed(self, exc: BaseException) -> None:
        if isinstance(exc, KnownError):
            self.editor.show_error(str(exc))
        else:
            from app.ui.tasks import report_failure

            report_failure(exc)

    def add_card(self) -> None:
        cards = self.selected_cards()
        deck = cards[0].deck if cards else (self._deck_names[0] if self._deck_names else None)
        if not self._deck_names:
            self.banner.show_message("There is no deck to add a card to yet.", "error")
            return
        self.table.clearSelection()
        self.editor.start_adding(self._deck_names, deck)

    def _ids(self) -> list[int]:
        return [c.id for c in self.selected_cards()]

    def toggle_suspended(self) -> None:
        cards = self.selected_cards()
        if not cards:
            return
        ids = [c.id for c in cards]
        suspend = not all(c.suspended for c in cards)

        def work(s: Session) -> Undo:
            from app.core import services

            change = services.snapshot_cards(s, ids, "suspend" if suspend else "unsuspend")
            services.set_suspended(s, ids, suspend)
            return change

        verb = "Suspended" if suspend else "Unsuspended"
        self._write(work, f"{verb} {plural(len(ids), 'card')}.", ids)

    def bury(self) -> None:
        ids = self._ids()
        if not ids:
            return

        def work(s: Session) -> Undo:
            from app.core import services

            change = services.snapshot_cards(s, ids, "bury")
            services.bury(s, ids, utcnow())
            return change

        self._write(work, f"Buried {plural(len(ids), 'card')} until tomorrow.", ids)

    def reset(self) -> None:
        ids = self._ids()
        if not ids:
            return

        def work(s: Session) -> Undo:
            from app.core import services

            return services.reset_cards(s, ids)

        self._write(work, f"Reset {plural(len(ids), 'card')}: new again.", ids)

    def move_to_deck(self) -> None:
        ids = self._ids()
        if not ids:
            return
        deck = self.ask_deck(self._deck_names)
        if deck is None:
            return

        def work(s: Session) -> Undo:
            from app.core import services

            return services.move_cards(s, ids, deck)

        self._write(work, f"Moved {plural(len(ids), 'card')} to {deck}.", ids)

    def add_tag(self) -> None:
        ids = self._ids()
        if not ids:
            return
        tag = self.ask_tag()
        if tag is None:
            return

        def work(s: Session) -> Undo:
            from app.core import services

            return services.change_tags(s, ids, add=[tag])

        self._write(work, f"Tagged {plural(len(ids), 'card')} {tag.strip()}.", ids)

    def delete(self) -> None:
        ids = self._ids()
        if not ids:
            return

        def work(s: Session) -> Undo:
            from app.core import services

            return services.delete_cards(s, ids)

        self._write(work, f"Deleted {plural(len(ids), 'card')}. Ctrl+Z brings them back.")

    def undo(self) -> None:
        if not self.undo_stack:
            return
        change = self.undo_stack.pop()

        def work(s: Session) -> None:
            from app.core import services

            services.undo(s, change)

        self._update_buttons()
        self._write(work, f"Undid {change.description}.", list(change.card_ids))
