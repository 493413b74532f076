"""The card browser as a user drives it: find, edit, add, suspend, delete and undo."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.ui.browser import BrowserPage
from app.ui.main_window import MainWindow

WAIT = 30_000
DECK = "RAG vs Fine-Tuning"


def open_browser(qtbot: QtBot, window: MainWindow) -> BrowserPage:
    window.home.list.setFocus()
    with qtbot.waitSignal(window.browser.loaded, timeout=WAIT):
        qtbot.keyClick(window.home.list, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.browser
    return window.browser


def search(qtbot: QtBot, browser: BrowserPage, text: str) -> None:
    with qtbot.waitSignal(browser.loaded, timeout=WAIT):
        browser.search.setText(text)
        qtbot.keyClick(browser.search, Qt.Key.Key_Return)


def change(qtbot: QtBot, browser: BrowserPage, action: Callable[[], object]) -> None:
    """Do ``action`` and wait until it is written and the table shows the result."""
    with qtbot.waitSignals([browser.changed, browser.loaded], timeout=WAIT, order="strict"):
        action()


def first_card_of_the_review(qtbot: QtBot, window: MainWindow) -> str:
    page = window.stack.currentWidget()
    if page is not window.home:
        with qtbot.waitSignal(window.home.decks_shown, timeout=WAIT):
            qtbot.keyClick(QApplication.focusWidget() or page, Qt.Key.Key_Escape)
    qtbot.keyClick(window.home.list, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: window.review.current is not None, timeout=WAIT)
    return window.review.front.text()


def test_find_a_card_by_its_text_edit_its_back_and_see_it_in_review(
    qtbot: QtBot, window: MainWindow
) -> None:
    front = first_card_of_the_review(qtbot, window)
    qtbot.keyClick(window.review, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.home, timeout=WAIT)

    browser = open_browser(qtbot, window)
    assert browser.model.rowCount() > 60  # every card of every deck
    words = " ".join(front.split()[:4])
    search(qtbot, browser, f'"{words}" kind:flashcard')
    assert browser.model.rowCount() >= 1
    browser.table.selectRow(0)
    assert browser.editor.front.toPlainText() == front

    browser.editor.back.setPlainText("An answer I wrote myself.")
    change(
        qtbot,
        browser,
        lambda: qtbot.keyClick(
            browser.editor.back, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier
        ),
    )
    assert browser.selected_cards()[0].back == "An answer I wrote myself."

    assert first_card_of_the_review(qtbot, window) == front
    qtbot.keyClick(window.review, Qt.Key.Key_Space)
    assert window.review.back.text() == "An answer I wrote myself."


def test_a_suspended_card_leaves_the_review_queue_and_the_home_count(
    qtbot: QtBot, window: MainWindow
) -> None:
    front = first_card_of_the_review(qtbot, window)
    before = window.review.progress_label.text()
    browser = open_browser(qtbot, window)
    search(qtbot, browser, f'deck:"{DECK}" is:new kind:flashcard')
    browser.table.selectRow(0)
    assert browser.editor.front.toPlainText() == front
    change(
        qtbot,
        browser,
        lambda: qtbot.keyClick(browser.table, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier),
    )
    assert browser.selected_cards()[0].suspended
    assert browser.buttons["suspend"].text() == "Unsuspend"

    assert first_card_of_the_review(qtbot, window) != front
    # Today's allowance takes the next new card, so the count stays; the card is gone.
    assert window.review.progress_label.text() == before
    search_all = open_browser(qtbot, window)
    search(qtbot, search_all, "is:suspended")
    assert [c.front for c in search_all.model.cards] == [front]


def test_deleted_cards_come_back_with_undo(qtbot: QtBot, window: MainWindow) -> None:
    browser = open_browser(qtbot, window)
    search(qtbot, browser, "kind:roleplay")
    total = browser.model.rowCount()
    browser.table.selectRow(0)
    qtbot.keyClick(browser.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    gone = [c.id for c in browser.selected_cards()]
    assert len(gone) == 2
    change(qtbot, browser, lambda: qtbot.keyClick(browser.table, Qt.Key.Key_Delete))
    assert browser.model.rowCount() == total - 2
    assert "Deleted 2 cards" in browser.banner.label.text()

    change(
        qtbot,
        browser,
        lambda: qtbot.keyClick(browser.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier),
    )
    assert browser.model.rowCount() == total
    assert [c.id for c in browser.selected_cards()] == gone


def test_a_new_card_is_added_and_a_bad_edit_is_refused_in_one_line(
    qtbot: QtBot, window: MainWindow
) -> None:
    browser = open_browser(qtbot, window)
    qtbot.keyClick(browser.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert browser.editor.adding and browser.editor.deck_choice.currentText() == DECK
    browser.editor.kind_choice.setCurrentIndex(1)  # a role-play
    browser.editor.persona.setText("cto")
    browser.editor.question.setPlainText("Why would we ever fine-tune?")
    browser.editor.key_points.setPlainText("style | tone | format\ncost")
    browser.editor.tags.setText("mine")
    change(qtbot, browser, browser.editor.save_button.click)
    (card,) = browser.selected_cards()
    assert card.question == "Why would we ever fine-tune?" and card.tags == ["mine"]
    assert [(k.label, k.alternatives) for k in card.key_points] == [
        ("style", ["tone", "format"]),
        ("cost", []),
    ]

    # A role-play without its question: one line beside the form, nothing written.
    browser.editor.question.setPlainText("  ")
    qtbot.keyClick(browser.editor.question, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: browser.editor.error.isVisible(), timeout=WAIT)
    assert browser.editor.error.text() == "a role-play needs a question"
    search(qtbot, browser, "tag:mine")
    assert [c.question for c in browser.model.cards] == ["Why would we ever fine-tune?"]


def test_cards_move_to_another_deck_and_take_a_tag(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser = open_browser(qtbot, window)
    browser.table.selectRow(0)
    change(qtbot, browser, browser.editor.save_button.click)  # saved unchanged: harmless
    monkeypatch.setattr(BrowserPage, "ask_tag", lambda self: "exam")
    change(qtbot, browser, browser.buttons["tag"].click)
    assert "exam" in browser.selected_cards()[0].tags
    search(qtbot, browser, "tag:exam")
    assert browser.model.rowCount() == 1
    # A search it cannot read says so where the count is, and keeps the table.
    browser.search.setText("is:sleeping")
    qtbot.keyClick(browser.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "is:sleeping" in browser.count_label.text(), timeout=WAIT)
    assert browser.model.rowCount() == 1


def test_two_cards_chosen_together_are_buried_then_a_reviewed_one_is_reset_to_new(
    qtbot: QtBot, window: MainWindow
) -> None:
    browser = open_browser(qtbot, window)
    search(qtbot, browser, f'deck:"{DECK}" is:new kind:flashcard')
    # A click on the Card column's header sorts by it.
    header = browser.table.horizontalHeader()
    qtbot.mouseClick(
        header.viewport(),
        Qt.MouseButton.LeftButton,
        pos=QPoint(header.sectionViewportPosition(0) + 10, header.height() // 2),
    )
    shown = [str(browser.proxy.index(r, 0).data()) for r in range(browser.proxy.rowCount())]
    assert len(shown) > 2 and shown == sorted(shown, key=str.casefold)
    browser.table.selectRow(0)
    browser.table.selectionModel().select(
        browser.proxy.index(1, 0),
        browser.table.selectionModel().SelectionFlag.Select
        | browser.table.selectionModel().SelectionFlag.Rows,
    )
    chosen = {c.front for c in browser.selected_cards()}
    assert len(chosen) == 2
    change(qtbot, browser, browser.buttons["bury"].click)
    search(qtbot, browser, "is:buried")
    assert {c.front for c in browser.model.cards} == chosen

    review = window.review
    window.start_review(DECK)
    qtbot.waitUntil(lambda: review.current is not None, timeout=WAIT)
    seen = review.current
    assert seen is not None and seen.front not in chosen, "buried cards wait for tomorrow"
    qtbot.keyClick(review, Qt.Key.Key_Space)
    qtbot.keyClick(review, Qt.Key.Key_3)
    qtbot.waitUntil(lambda: review.current is None or review.current.id != seen.id, timeout=WAIT)
    browser = open_browser(qtbot, window)
    search(qtbot, browser, f'"{seen.front}"')
    browser.table.selectRow(0)
    assert browser.selected_cards()[0].state != "new"
    change(qtbot, browser, browser.buttons["reset"].click)
    assert browser.selected_cards()[0].state == "new"
