"""Home: the decks as a tree (``Parent::Child`` names) with their new, learning and due
counts and when they were last practised. The selected deck is marked, and every deck
action (R, P, Ctrl+E, Ctrl+T, F2, Delete and the context menu) acts on it."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.clock import utcnow
from app.core.views import DeckSummary, QueueCounts
from app.ui.backend import Backend
from app.ui.first_run import FirstRunPanel
from app.ui.widgets import card_frame, plain_label, plain_tooltip, plural, subtle, title

if TYPE_CHECKING:
    from app.core.store import Session

SEPARATOR = "::"
INDENT = 28  # pixels per nesting level


def tree_order(decks: list[DeckSummary]) -> list[DeckSummary]:
    """Built-in decks first, then by name level by level, so children follow parents."""
    return sorted(
        decks, key=lambda d: (not d.builtin, [p.casefold() for p in d.name.split(SEPARATOR)])
    )


def queue_line(kind: str, total: int, queue: QueueCounts) -> str:
    """ "61 flashcards: 20 new · 2 learning · 8 due", numbers in bold (our own markup
    around numbers only)."""
    return (
        f"{plural(total, kind)}: <b>{queue.new:d}</b> new · "
        f"<b>{queue.learning:d}</b> learning · <b>{queue.review:d}</b> due"
    )


def describe_last_practised(when: datetime | None, now: datetime | None = None) -> str:
    if when is None:
        return "Not practised yet"
    now = now or datetime.now(UTC)
    days = (now.astimezone().date() - when.astimezone().date()).days
    if days <= 0:
        return "Practised today"
    if days == 1:
        return "Practised yesterday"
    if days < 14:
        return f"Practised {days} days ago"
    return f"Practised on {when.astimezone():%d %b %Y}"


class DeckRow(QWidget):
    """One deck: name, counts and the two ways to study it."""

    review_clicked = Signal(str)
    rehearse_clicked = Signal(str)

    def __init__(self, deck: DeckSummary) -> None:
        super().__init__()
        self.deck = deck
        self.frame = frame = card_frame()
        outer = QVBoxLayout(self)
        depth = deck.name.count(SEPARATOR)
        outer.setContentsMargins(depth * INDENT, 0, 0, 0)
        outer.addWidget(frame)
        row = QHBoxLayout(frame)
        row.setContentsMargins(18, 14, 18, 14)
        text = QVBoxLayout()
        # A nested deck shows its own level's name; the tooltip has the full path.
        short = deck.name.split(SEPARATOR)[-1] if depth else deck.name
        self.name_label = plain_label(("↳ " if depth else "") + short, "SectionTitle")
        text.addWidget(self.name_label)
        # Only numbers and our own markup: the one rich label on the page.
        counts = QLabel()
        counts.setTextFormat(Qt.TextFormat.RichText)
        counts.setText(
            "<br>".join(
                queue_line(name, total, queue)
                for name, total, queue in (
                    ("flashcard", deck.flashcards, deck.flashcard_queue),
                    ("role-play", deck.roleplays, deck.roleplay_queue),
                )
                if total
            )
            or "No cards yet"
        )
        counts.setObjectName("Counts")
        text.addWidget(counts)
        text.addWidget(subtle(describe_last_practised(deck.last_practised)))
        row.addLayout(text, 1)
        self.review_button = QPushButton("Review cards")
        self.review_button.setToolTip("Flashcard review of this deck (R)")
        self.review_button.clicked.connect(lambda: self.review_clicked.emit(deck.name))
        self.review_button.setEnabled(deck.flashcards > 0)
        self.rehearse_button = QPushButton("Rehearse")
        self.rehearse_button.setObjectName("Primary")
        self.rehearse_button.setToolTip("Answer stakeholder questions out loud (P)")
        self.rehearse_button.clicked.connect(lambda: self.rehearse_clicked.emit(deck.name))
        self.rehearse_button.setEnabled(deck.roleplays > 0)
        row.addWidget(self.review_button)
        row.addWidget(self.rehearse_button)

    def set_selected(self, selected: bool) -> None:
        """The stylesheet draws the selected deck's frame in the highlight colour."""
        self.frame.setProperty("selected", selected)
        self.frame.style().unpolish(self.frame)
        self.frame.style().polish(self.frame)


class HomePage(QWidget):
    review_requested = Signal(str)
    rehearse_requested = Signal(str)
    # The context menu's other deck actions: (action, deck name), where action is one of
    # browse, stats, export, rename, delete.
    deck_action = Signal(str, str)
    # Emitted each time the deck list has been filled from the collection.
    decks_shown = Signal()

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.setObjectName("Page")
        self.backend = backend
        self.decks: list[DeckSummary] = []
        self._wanted: str | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 28, 40, 28)
        layout.addWidget(title("Your decks"))
        self.summary = subtle("Opening your collection…")
        layout.addWidget(self.summary)
        self.first_run = FirstRunPanel(backend)
        layout.addWidget(self.first_run)
        self.list = QListWidget()
        self.list.setObjectName("DeckList")
        self.list.setSelectionMode(QListWidget.SelectionMode.SingleSelection)
        self.list.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.list.setSpacing(4)
        self.list.itemActivated.connect(self._activated)
        self.list.currentItemChanged.connect(lambda *_: self._mark_selection())
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._context_menu)
        self.list.setAccessibleName("Decks")
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.list)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self._delete_selected)
        # The context menu from the keyboard, on the selected deck.
        for key in ("Menu", "Shift+F10"):
            menu_key = QShortcut(QKeySequence(key), self.list)
            menu_key.setContext(Qt.ShortcutContext.WidgetShortcut)
            menu_key.activated.connect(self._menu_for_selected)
        layout.addWidget(self.list, 1)
        layout.addLayout(self._how_it_works())
        hint = subtle(
            "R review · P rehearse · Ctrl+B browse · F2 rename · Ctrl+I import · "
            "Ctrl+, settings · drop a deck file here"
        )
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(hint)
        backend.store_ready.connect(self.refresh)
        backend.store_ready.connect(self.first_run.check)
        backend.collection_changed.connect(self.refresh)
        backend.settings_changed.connect(self._settings_changed)  # the daily limits

    @staticmethod
    def _how_it_works() -> QHBoxLayout:
        row = QHBoxLayout()
        steps = (
            (
                "1  Learn the words",
                "Flashcards on terms, trade-offs and misconceptions, "
                "scheduled so you see each one just before you would forget it.",
            ),
            (
                "2  Say it out loud",
                "A product manager, an executive or a client asks. "
                "Answer by speaking; Parley checks which key points you made.",
            ),
            (
                "3  Hear the difference",
                "Compare with the model answer, replay yourself, "
                "and watch pace and filler words improve over the weeks.",
            ),
        )
        for heading, text in steps:
            frame = card_frame()
            inner = QVBoxLayout(frame)
            inner.setContentsMargins(18, 14, 18, 14)
            inner.addWidget(plain_label(heading, "SectionTitle"))
            inner.addWidget(subtle(text))
            row.addWidget(frame)
        return row

    def refresh(self) -> None:
        flash = self.backend.settings.limits("flashcard")
        plays = self.backend.settings.limits("roleplay")

        def load(session: Session) -> list[DeckSummary]:
            from app.core import services  # on the DB worker: keeps SQLAlchemy off start-up

            return services.list_decks(session, utcnow(), flash.new, flash.reviews, roleplays=plays)

        self.backend.db(load, self._show)

    def _settings_changed(self) -> None:
        if self.backend.is_ready:
            self.refresh()

    def _show(self, decks: list[DeckSummary]) -> None:
        selected = self._wanted or self.selected_deck()
        self._wanted = None
        decks = tree_order(decks)
        self.decks = decks
        self.list.clear()
        for deck in decks:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, deck.name)
            row = DeckRow(deck)
            row.review_clicked.connect(self.review_requested)
            row.rehearse_clicked.connect(self.rehearse_requested)
            if SEPARATOR in deck.name:
                row.setToolTip(plain_tooltip(deck.name))
            # The stylesheet's larger title font is applied after the first size hint;
            # polish and re-measure so the row is tall enough for it.
            for child in (row, *row.findChildren(QWidget)):
                child.ensurePolished()
            row.adjustSize()
            item.setSizeHint(row.sizeHint().expandedTo(row.minimumSizeHint()))
            self.list.addItem(item)
            self.list.setItemWidget(item, row)
        due = sum(d.due for d in decks)
        self.summary.setText(f"{plural(len(decks), 'deck')} · {plural(due, 'card')} ready to study")
        # First run opens on the built-in deck; afterwards keep the user's choice.
        names = [d.name for d in decks]
        target = (
            selected
            if selected in names
            else next((d.name for d in decks if d.builtin), names[0] if names else None)
        )
        if target is not None:
            self.list.setCurrentRow(names.index(target))
        self._mark_selection()
        if self.isVisible():  # a refresh behind another page must not steal its focus
            self.list.setFocus()
        self.decks_shown.emit()

    def selected_deck(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def deck_row(self, name: str) -> DeckRow | None:
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == name:
                widget = self.list.itemWidget(item)
                return widget if isinstance(widget, DeckRow) else None
        return None

    def select_deck(self, name: str) -> None:
        """Select ``name`` now, or once the next refresh lists it (a renamed deck)."""
        names = [d.name for d in self.decks]
        self._wanted = name
        if name in names:
            self.list.setCurrentRow(names.index(name))

    def _mark_selection(self) -> None:
        current = self.selected_deck()
        for i in range(self.list.count()):
            item = self.list.item(i)
            widget = self.list.itemWidget(item)
            if isinstance(widget, DeckRow):
                widget.set_selected(item.data(Qt.ItemDataRole.UserRole) == current)

    def _context_menu(self, pos: QPoint) -> None:
        item = self.list.itemAt(pos)
        if item is None:
            return
        self.list.setCurrentItem(item)
        menu = self.deck_menu(str(item.data(Qt.ItemDataRole.UserRole)))
        self.pop_up(menu, self.list.viewport().mapToGlobal(pos))

    @staticmethod
    def pop_up(menu: QMenu, where: QPoint) -> None:
        """Show ``menu`` until a choice is made (the seam tests patch)."""
        menu.exec(where)

    def _menu_for_selected(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self._context_menu(self.list.visualItemRect(item).center())

    def deck_menu(self, name: str) -> QMenu:
        """What can be done with one deck; the same actions as the menus and keys."""
        menu = QMenu(self)
        deck = next((d for d in self.decks if d.name == name), None)
        review = menu.addAction("Review flashcards (R)", lambda: self.review_requested.emit(name))
        rehearse = menu.addAction(
            "Rehearse role-plays (P)", lambda: self.rehearse_requested.emit(name)
        )
        if deck is not None:
            review.setEnabled(deck.flashcards > 0)
            rehearse.setEnabled(deck.roleplays > 0)
        menu.addSeparator()
        for action, text in (
            ("browse", "Browse its cards"),
            ("stats", "Statistics (Ctrl+T)"),
            ("export", "Export… (Ctrl+E)"),
        ):
            menu.addAction(text, partial(self.deck_action.emit, action, name))
        menu.addSeparator()
        menu.addAction("Rename… (F2)", lambda: self.deck_action.emit("rename", name))
        menu.addAction("Delete… (Del)", lambda: self.deck_action.emit("delete", name))
        return menu

    def _delete_selected(self) -> None:
        if (name := self.selected_deck()) is not None:
            self.deck_action.emit("delete", name)

    def _activated(self, item: QListWidgetItem) -> None:
        self.review_requested.emit(str(item.data(Qt.ItemDataRole.UserRole)))
