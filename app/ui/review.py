"""Flashcard review: front, reveal with Space, rate 1–4 (each button shows its next
interval), undo with Ctrl+Z, and a summary at the end."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core import scheduling
from app.core.clock import utcnow
from app.core.views import CardView, count_queue

if TYPE_CHECKING:
    from app.core.reviews import ReviewResult
    from app.core.store import Session
from app.model.paths import media_dir
from app.ui.backend import Backend
from app.ui.card_images import CardImages
from app.ui.widgets import (
    EndPanel,
    card_frame,
    describe_counts,
    plain_label,
    plural,
    set_card_text,
    subtle,
    title,
)

# A card rated into a step shorter than this comes back in the same session.
LEARN_AHEAD_S = 20 * 60
# What the keys do, Space above all, at each step.
HINT_FRONT = "Space show answer · Ctrl+Z undo the last rating · Esc back to decks"
HINT_BACK = "Space rate Good · 1 Again · 2 Hard · 3 Good · 4 Easy · Ctrl+Z undo · Esc back"


@dataclass
class _Done:
    log_id: int
    card: CardView
    rating: int
    requeued: bool


class ReviewPage(QWidget):
    finished = Signal()

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.setObjectName("Page")
        self.backend = backend
        self.deck_name = ""
        self.queue: list[CardView] = []
        self.current: CardView | None = None
        self.revealed = False
        self.done: list[_Done] = []
        self.shown_at = 0.0
        self.started_at = 0.0
        self._busy = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 24, 40, 24)
        top = QHBoxLayout()
        self.heading = title("Review")
        top.addWidget(self.heading, 1)
        self.progress_label = subtle(wrap=False)
        top.addWidget(self.progress_label)
        back = QPushButton("Back to decks")
        back.setToolTip("Leave the session (Esc)")
        back.clicked.connect(self.finished)
        top.addWidget(back)
        layout.addLayout(top)
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        layout.addWidget(self.progress)

        self.stack = QStackedWidget()
        layout.addWidget(self.stack, 1)
        self.stack.addWidget(self._build_card())
        self.stack.addWidget(self._build_summary())

        for key, handler in (
            ("Space", self._space),
            ("1", lambda: self.rate(1)),
            ("2", lambda: self.rate(2)),
            ("3", lambda: self.rate(3)),
            ("4", lambda: self.rate(4)),
            ("Ctrl+Z", self.undo),
            ("Escape", self.finished.emit),
        ):
            shortcut = QShortcut(QKeySequence(key), self)
            # Window-wide while this page is shown (hidden pages never match), so focus on
            # any control of the page keeps the keys working.
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(handler)
        backend.settings_changed.connect(self._settings_changed)  # the daily limits

    # -- layout -------------------------------------------------------------------
    def _build_card(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 16, 0, 0)
        frame = card_frame()
        inner = QVBoxLayout(frame)
        inner.setContentsMargins(32, 28, 32, 28)
        self.tags_label = subtle()
        inner.addWidget(self.tags_label)
        self.front = plain_label(name="CardText", wrap=True)
        self.front.setAlignment(Qt.AlignmentFlag.AlignCenter)
        inner.addWidget(self.front, 1)
        self.front_images = CardImages(self.backend.tasks)
        inner.addWidget(self.front_images)
        self.rule = QFrame()
        self.rule.setFrameShape(QFrame.Shape.HLine)
        inner.addWidget(self.rule)
        self.back = plain_label(name="AnswerText", wrap=True)
        self.back.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.back.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        inner.addWidget(self.back, 1)
        self.back_images = CardImages(self.backend.tasks)
        inner.addWidget(self.back_images)
        layout.addWidget(frame, 1)

        self.answer_row = QStackedWidget()
        self.answer_row.setMaximumHeight(72)
        self.show_button = QPushButton("Show answer")
        self.show_button.setObjectName("Primary")
        self.show_button.setToolTip("Reveal the back of the card (Space)")
        self.show_button.clicked.connect(self.reveal)
        wrap = QWidget()
        wl = QHBoxLayout(wrap)
        wl.addStretch(1)
        wl.addWidget(self.show_button)
        wl.addStretch(1)
        self.answer_row.addWidget(wrap)
        rating_box = QWidget()
        rl = QHBoxLayout(rating_box)
        self.rating_buttons: dict[int, QPushButton] = {}
        for rating, name in scheduling.RATING_NAMES.items():
            button = QPushButton(name)
            button.setObjectName(name)
            button.setMinimumWidth(120)
            button.setToolTip(f"{name} ({rating})")
            button.clicked.connect(lambda _=False, r=rating: self.rate(r))
            self.rating_buttons[rating] = button
            rl.addWidget(button)
        self.answer_row.addWidget(rating_box)
        layout.addWidget(self.answer_row)
        self.keys_hint = subtle(HINT_FRONT)
        self.keys_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.keys_hint)
        return page

    def _build_summary(self) -> QWidget:
        home = QPushButton("Back to decks")
        home.setObjectName("Primary")
        home.clicked.connect(self.finished)
        panel = EndPanel("Session complete", [home])
        self.summary_title, self.summary_text = panel.heading, panel.text
        return panel

    # -- session ------------------------------------------------------------------
    def start(self, deck_name: str) -> None:
        self.deck_name = deck_name
        self.heading.setText(deck_name)
        self.queue, self.done, self.current = [], [], None
        self.started_at = time.monotonic()
        self._busy = True
        self._ask_for_queue(self._loaded)

    def _ask_for_queue(self, then: Callable[[list[CardView]], None]) -> None:
        """The deck's cards due now under today's limits, on the DB worker."""
        deck_name = self.deck_name
        limits = self.backend.settings.limits("flashcard")

        def load(s: Session) -> list[CardView]:
            from app.core import services

            deck = services.find_deck(s, deck_name)
            ids = services.due_queue(
                s, deck.id, utcnow(), limits.new, kind="flashcard", reviews_per_day=limits.reviews
            )
            return services.get_cards(s, ids)

        self.backend.db(load, then)

    def _settings_changed(self) -> None:
        """New daily limits count at once: the rest of the session is asked for again.
        The card on screen stays, and so do cards back in a learning step, which the
        query does not see as due until their step is over."""
        if self.current is None or not self.isVisible():
            return

        def requeued(cards: list[CardView]) -> None:
            current = self.current
            if current is None:  # the session ended meanwhile
                return
            due = {c.id for c in cards}
            learning = {d.card.id for d in self.done if d.requeued}
            stepping = [c for c in self.queue if c.id in learning and c.id not in due]
            self.queue = [c for c in cards if c.id != current.id] + stepping
            self._show_progress()

        # The DB worker is serial: a rating still being written is in the answer.
        self._ask_for_queue(requeued)

    def _loaded(self, cards: list[CardView]) -> None:
        self._busy = False
        self.queue = list(cards)
        self._next()

    def _show_progress(self) -> None:
        left = [self.current, *self.queue] if self.current is not None else []
        self.progress.setMaximum(max(1, len(self.done) + len(left)))
        self.progress.setValue(len(self.done))
        # The card on screen still counts: it leaves the count when it leaves the queue
        # (rated, and not back in a learning step), as in Anki.
        self.progress_label.setText(describe_counts(count_queue(left)))

    def _next(self) -> None:
        if not self.queue:
            self.current = None
            self._show_progress()
            self._show_summary()
            return
        self.current = self.queue.pop(0)
        self._show_progress()
        self.revealed = False
        self.stack.setCurrentIndex(0)
        self.tags_label.setText(" · ".join(self.current.tags))
        set_card_text(self.front, self.current.front)
        set_card_text(self.back, self.current.back)
        media = media_dir(self.backend.data_dir)
        self.front_images.show_files(media, self.current.images)
        self.back_images.show_files(media, self.current.back_images)
        self.back.hide()
        self.back_images.hide()
        self.rule.hide()
        self.answer_row.setCurrentIndex(0)
        self.keys_hint.setText(HINT_FRONT)
        self.show_button.setFocus()
        self.shown_at = time.monotonic()

    def reveal(self) -> None:
        if self.current is None or self.revealed:
            return
        self.revealed = True
        self.back.show()
        self.back_images.setVisible(bool(self.current.back_images))
        self.rule.show()
        previews = scheduling.preview_intervals(self.current.id, self.current.fsrs_state, utcnow())
        for rating, button in self.rating_buttons.items():
            name = scheduling.RATING_NAMES[rating]
            interval = scheduling.format_interval(previews[rating])
            button.setText(f"{name}\n{interval}")
            button.setToolTip(f"{name}: next review in {interval} ({rating})")
        self.answer_row.setCurrentIndex(1)
        self.keys_hint.setText(HINT_BACK)
        self.rating_buttons[3].setFocus()

    def _space(self) -> None:
        if self.stack.currentIndex() == 1:
            self.finished.emit()
        elif not self.revealed:
            self.reveal()
        else:
            self.rate(3)  # As in Anki: Space on a revealed card means Good.

    def rate(self, rating: int) -> None:
        if self.current is None or not self.revealed or self._busy:
            return
        card = self.current
        elapsed_ms = int((time.monotonic() - self.shown_at) * 1000)
        self._busy = True

        def write(s: Session) -> tuple[ReviewResult, CardView]:
            from app.core import services

            result = services.review_card(s, card.id, rating, utcnow(), duration_ms=elapsed_ms)
            return result, services.get_card(s, card.id)

        def written(payload: tuple[ReviewResult, CardView]) -> None:
            result, updated = payload
            self._busy = False
            requeue = result.interval.total_seconds() < LEARN_AHEAD_S
            if requeue:
                self.queue.append(updated)
            self.done.append(_Done(result.log_id, card, rating, requeue))
            self._next()

        def failed(exc: BaseException) -> None:
            self._busy = False
            from app.ui.tasks import report_failure

            report_failure(exc)

        self.backend.db(write, written, changes=True, on_failure=failed)

    def undo(self) -> None:
        if not self.done or self._busy:
            return
        last = self.done.pop()
        self._busy = True

        def revert(s: Session) -> CardView:
            from app.core import services

            services.undo_review(s, last.log_id)
            return services.get_card(s, last.card.id)

        def reverted(card: CardView) -> None:
            self._busy = False
            if last.requeued:
                self.queue = [c for c in self.queue if c.id != card.id]
            if self.current is not None and self.stack.currentIndex() == 0:
                self.queue.insert(0, self.current)
            self.queue.insert(0, card)
            from app.ui import messages

            messages.info(f"Undid {scheduling.RATING_NAMES[last.rating]} on “{card.front[:40]}”")
            self._next()

        self.backend.db(revert, reverted, changes=True)

    def _show_summary(self) -> None:
        self.current = None
        self.stack.setCurrentIndex(1)
        if not self.done:
            self.summary_title.setText("Nothing due right now")
            self.summary_text.setText(
                "You are up to date with this deck's flashcards. New cards arrive tomorrow."
            )
            return
        counts = Counter(d.rating for d in self.done)
        minutes = (time.monotonic() - self.started_at) / 60
        self.summary_title.setText("Session complete")
        breakdown = " · ".join(
            f"{scheduling.RATING_NAMES[r]} {counts.get(r, 0)}" for r in scheduling.RATINGS
        )
        self.summary_text.setText(
            f"{plural(len(self.done), 'review')} in {minutes:.1f} min\n{breakdown}\n\n"
            "Ctrl+Z undoes the last rating."
        )
