"""Reviewing flashcards with the keyboard, the way a user does."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.core.views import CardView
from app.ui.main_window import MainWindow
from app.ui.review import ReviewPage

DECK = "RAG vs Fine-Tuning"


def due_count(window: MainWindow) -> int:
    return next(d.due for d in window.home.decks if d.name == DECK)


def start_review(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window.home.list, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: window.review.current is not None, timeout=10_000)


def test_first_run_opens_on_the_builtin_deck(window: MainWindow) -> None:
    assert window.stack.currentWidget() is window.home
    assert window.home.selected_deck() == DECK
    row = window.home.deck_row(DECK)
    assert row is not None and row.rehearse_button.isEnabled()


def moved_past(page: ReviewPage, card: CardView) -> Callable[[], bool]:
    """For waitUntil: the page shows another card than ``card`` (or none)."""
    return lambda: page.current is not card


def test_review_three_cards_with_the_keyboard_and_the_due_count_drops(
    qtbot: QtBot, window: MainWindow
) -> None:
    before = due_count(window)
    start_review(qtbot, window)
    page = window.review
    assert page.front.text() and not page.back.isVisible()
    for _ in range(3):
        shown = page.current
        assert shown is not None
        qtbot.keyClick(page, Qt.Key.Key_Space)  # reveal
        assert page.back.isVisible() and page.back.text() == shown.back
        assert "Easy\n" in page.rating_buttons[4].text()  # the interval is on the button
        qtbot.keyClick(page, Qt.Key.Key_4)  # Easy: days away, leaves today's queue
        qtbot.waitUntil(moved_past(page, shown), timeout=10_000)
    assert len(page.done) == 3
    with qtbot.waitSignal(window.home.decks_shown, timeout=10_000):
        qtbot.keyClick(page, Qt.Key.Key_Escape)
    assert window.stack.currentWidget() is window.home
    assert due_count(window) == before - 3


def test_ctrl_z_undoes_the_last_rating(qtbot: QtBot, window: MainWindow) -> None:
    before = due_count(window)
    start_review(qtbot, window)
    page = window.review
    first = page.current
    assert first is not None
    qtbot.keyClick(page, Qt.Key.Key_Space)
    qtbot.keyClick(page, Qt.Key.Key_3)
    qtbot.waitUntil(moved_past(page, first), timeout=10_000)
    qtbot.keyClick(page, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: page.current is not None and page.current.id == first.id, timeout=10_000
    )
    assert not page.done and not page.revealed
    with qtbot.waitSignal(window.home.decks_shown, timeout=10_000):
        qtbot.keyClick(page, Qt.Key.Key_Escape)
    assert due_count(window) == before


def test_an_empty_queue_says_so_instead_of_showing_a_blank_card(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.backend.settings.new_per_day = 0
    start = window.review
    window.start_review(DECK)
    qtbot.waitUntil(start.summary_title.isVisible, timeout=10_000)
    assert start.summary_title.text() == "Nothing due right now"


def test_counts_split_new_learning_and_due_and_drop_only_when_a_card_leaves(
    qtbot: QtBot, window: MainWindow
) -> None:
    row = window.home.deck_row(DECK)
    label = row.findChild(QLabel, "Counts") if row is not None else None
    assert label is not None
    counts = label.text()
    assert "flashcards: <b>20</b> new · <b>0</b> learning · <b>0</b> due" in counts
    assert "role-plays: <b>10</b> new" in counts  # their own daily limit

    start_review(qtbot, window)
    page = window.review
    # The card on screen still counts, revealed or not.
    assert page.progress_label.text() == "20 new · 0 learning · 0 due"
    assert page.keys_hint.text().startswith("Space show answer")
    qtbot.keyClick(page, Qt.Key.Key_Space)
    assert page.progress_label.text() == "20 new · 0 learning · 0 due"
    assert page.keys_hint.text().startswith("Space rate Good")

    first = page.current
    qtbot.keyClick(page, Qt.Key.Key_1)  # Again: back in a minute, in its learning steps
    qtbot.waitUntil(lambda: page.current is not first, timeout=10_000)
    assert page.progress_label.text() == "19 new · 1 learning · 0 due"
    assert page.keys_hint.text().startswith("Space show answer")
    second = page.current
    qtbot.keyClick(page, Qt.Key.Key_Space)
    qtbot.keyClick(page, Qt.Key.Key_4)  # Easy: gone for days
    qtbot.waitUntil(lambda: page.current is not second, timeout=10_000)
    assert page.progress_label.text() == "18 new · 1 learning · 0 due"
