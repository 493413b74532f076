"""Driving Parley from the keyboard: Tab visits each page's controls in reading order
(top to bottom, left to right) and comes back round, and whatever has focus shows a
ring that can be seen, in the light theme and the dark."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QComboBox,
    QMenu,
    QStyle,
    QStyleOptionButton,
    QTabBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.ui.home import HomePage
from app.ui.main_window import MainWindow
from app.ui.settings_dialog import SettingsDialog
from app.ui.theme import apply_theme

DECK = "RAG vs Fine-Tuning"
WAIT = 20_000


def describe(widget: QWidget | None) -> str:
    """How a user would name a control: its text, else its accessible name."""
    if widget is None:
        return "(nothing)"
    if isinstance(widget, QAbstractButton):
        return re.sub(r"\s+", " ", widget.text()).strip()
    if isinstance(widget, QTabBar):
        return "tabs"
    if isinstance(widget, QComboBox) and not widget.accessibleName():
        return f"choice {widget.currentText()}"
    return widget.accessibleName() or type(widget).__name__


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def tab_round(qtbot: QtBot, limit: int = 40) -> list[QWidget]:
    """Press Tab until focus is back where it started; the controls visited, from there."""
    start = focused()
    assert start is not None, "something has focus to start from"
    visited = [start]
    for _ in range(limit):
        widget = focused()
        assert widget is not None
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
        if focused() is start:
            return visited
        now = focused()
        assert now is not None and now not in visited, f"Tab is stuck on {describe(now)}"
        visited.append(now)
    raise AssertionError(f"Tab never came back to {describe(start)}")


def in_reading_order(qtbot: QtBot, first: QWidget) -> list[str]:
    """The round of Tab, told from ``first`` (a round has no beginning of its own)."""
    first.setFocus()
    qtbot.waitUntil(lambda: focused() is first, timeout=WAIT)
    return [describe(w) for w in tab_round(qtbot)]


def test_tab_reads_the_rehearsal_result_top_to_bottom(
    qtbot: QtBot, quiet_window: MainWindow
) -> None:
    window = quiet_window
    page = window.rehearsal
    with qtbot.waitSignal(page.question_shown, timeout=WAIT):
        qtbot.keyClick(window.home.list, Qt.Key.Key_P)
    qtbot.waitUntil(lambda: page.engine_choice is not None, timeout=30_000)
    card = page.current
    assert card is not None
    assert in_reading_order(qtbot, page.hands_free) == [
        "Hands-free",
        "Back to decks",
        "Replay question",
        "● Record answer",
        "Type instead",
    ]
    page.type_instead()
    page.typed.setPlainText(card.model_answer)
    with qtbot.waitSignal(page.result_shown, timeout=WAIT):
        page.submit_typed_answer()
    panel = page.result_panel
    assert panel.result is not None
    # Buttons added to a page on screen show a turn of the event loop later.
    qtbot.waitUntil(lambda: all(b.isVisible() for b in panel.flip_buttons), timeout=WAIT)
    flips = [describe(b) for b in panel.flip_buttons]
    assert len(flips) == len(panel.result.key_points) > 0
    # A typed answer has no recording to play: that button is skipped.
    assert in_reading_order(qtbot, page.hands_free) == [
        "Hands-free",
        "Back to decks",
        "Replay question",
        *flips,
        describe(panel.transcript),
        describe(panel.model_answer),
        "▶ Model answer",
        "Again (1)",
        "Hard (2)",
        "Good (3)",
        "Easy (4)",
    ]
    # Flipping a verdict makes its buttons anew: they keep their place.
    with qtbot.waitSignal(page.result_shown, timeout=WAIT):
        page.flip_verdict(0)
    qtbot.waitUntil(lambda: all(b.isVisible() for b in panel.flip_buttons), timeout=WAIT)
    assert in_reading_order(qtbot, page.hands_free)[3 : 3 + len(flips)] == [
        describe(b) for b in panel.flip_buttons
    ]


def test_tab_goes_through_the_browser_without_getting_stuck_in_the_table(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.show_browser("")
    browser = window.browser
    qtbot.waitUntil(lambda: browser.model.rowCount() > 0, timeout=WAIT)
    browser.table.selectRow(0)
    qtbot.waitUntil(lambda: browser.editor.card is not None, timeout=WAIT)
    back = next(b for b in browser.findChildren(QAbstractButton) if b.text() == "Back to decks")
    assert in_reading_order(qtbot, back) == [
        "Back to decks",
        "Search cards",
        "Add card",
        "Suspend",
        "Bury",
        "Reset",
        "Move…",
        "Add tag…",
        "Delete",  # Undo is greyed out: nothing to undo yet
        "Cards",
        "Front",
        "Back",
        "Tags",
        "Revert",
        "Save",
    ]


def test_tab_on_the_home_page_and_during_a_review(qtbot: QtBot, window: MainWindow) -> None:
    home = window.home
    qtbot.waitUntil(home.first_run.isVisible, timeout=WAIT)
    assert in_reading_order(qtbot, home.first_run.keep) == [
        "Keep the built-in engine",
        "Install a model from .zip…",
        "Decks",
        "Review cards",
        "Rehearse",
    ]
    window.start_review(DECK)
    review = window.review
    qtbot.waitUntil(lambda: review.current is not None, timeout=WAIT)
    back = next(b for b in review.findChildren(QAbstractButton) if b.text() == "Back to decks")
    assert in_reading_order(qtbot, back) == ["Back to decks", "Show answer"]
    qtbot.keyClick(review, Qt.Key.Key_Space)
    names = in_reading_order(qtbot, back)
    assert [n.split()[0] for n in names] == ["Back", "Again", "Hard", "Good", "Easy"]


def test_tab_on_the_statistics_and_in_settings(qtbot: QtBot, window: MainWindow) -> None:
    window.show_stats()
    stats = window.stats
    qtbot.waitUntil(lambda: stats.figures is not None, timeout=WAIT)
    assert in_reading_order(qtbot, stats.period) == [
        "choice Last 30 days",
        "Back to decks",
        "tabs",
        "choice All prompts",
    ]
    dialog = SettingsDialog(window.backend, window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.tabs.setCurrentIndex(3)
    tabs = dialog.tabs.tabBar()
    assert in_reading_order(qtbot, tabs) == [
        "tabs",
        "choice System",
        *["QSpinBox"] * 4,  # the four daily limits
        "Save",
        "Cancel",
    ]
    dialog.stop_meter()
    dialog.reject()


@pytest.fixture(params=["light", "dark"])
def theme(request: pytest.FixtureRequest) -> Iterator[str]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, request.param)
    yield str(request.param)
    apply_theme(app, "system")


def distance(a: QColor, b: QColor) -> float:
    return float(
        ((a.red() - b.red()) ** 2 + (a.green() - b.green()) ** 2 + (a.blue() - b.blue()) ** 2)
        ** 0.5
    )


def ring_change(before: QImage, after: QImage, whole: bool) -> float:
    """How far the pixels of the outer 4 px (or, ``whole``, of all of it) moved in
    colour: a ring that can be seen moves them a long way."""
    rect = QRect(0, 0, min(before.width(), after.width()), min(before.height(), after.height()))
    inner = rect.adjusted(4, 4, -4, -4)
    return max(
        (
            distance(before.pixelColor(x, y), after.pixelColor(x, y))
            for y in range(rect.height())
            for x in range(rect.width())
            if whole or not inner.contains(x, y)
        ),
        default=0.0,
    )


def test_every_control_on_the_result_and_the_browser_shows_a_focus_ring(
    qtbot: QtBot, quiet_window: MainWindow, theme: str
) -> None:
    window = quiet_window
    page = window.rehearsal
    with qtbot.waitSignal(page.question_shown, timeout=WAIT):
        qtbot.keyClick(window.home.list, Qt.Key.Key_P)
    qtbot.waitUntil(lambda: page.engine_choice is not None, timeout=30_000)
    card = page.current
    assert card is not None
    page.type_instead()
    page.typed.setPlainText(card.model_answer)
    with qtbot.waitSignal(page.result_shown, timeout=WAIT):
        page.submit_typed_answer()
    qtbot.waitUntil(
        lambda: all(b.isVisible() for b in page.result_panel.flip_buttons), timeout=WAIT
    )
    window.show_browser("")
    qtbot.waitUntil(lambda: window.browser.model.rowCount() > 0, timeout=WAIT)
    window.browser.table.selectRow(0)

    window.show_stats()
    qtbot.waitUntil(lambda: window.stats.figures is not None, timeout=WAIT)
    pages = {page.hands_free: page, window.browser.search: window.browser}
    pages[window.stats.period] = window.stats
    for start, shown in pages.items():
        window.stack.setCurrentWidget(shown)
        start.setFocus()
        qtbot.waitUntil(lambda start=start: focused() is start, timeout=WAIT)  # type: ignore[misc]
        controls = tab_round(qtbot)
        # Each control drawn without focus (focus on the one before it), then with it.
        for before, control in zip([controls[-1], *controls], controls, strict=False):
            before.setFocus()
            qtbot.waitUntil(lambda b=before: focused() is b, timeout=WAIT)  # type: ignore[misc]
            plain = control.grab().toImage()
            qtbot.keyClick(before, Qt.Key.Key_Tab)
            assert focused() is control
            ringed = control.grab().toImage()
            change = ring_change(plain, ringed, whole=isinstance(control, QTabBar))
            assert change > 80, f"{describe(control)} shows no focus ring in {theme} ({change:.0f})"


def luminance(c: QColor) -> float:
    def channel(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.red()) + 0.7152 * channel(c.green()) + 0.0722 * channel(c.blue())


def contrast(a: QColor, b: QColor) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_the_hands_free_box_stands_out_on_a_dark_window(
    qtbot: QtBot, quiet_window: MainWindow
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, "dark")
    try:
        page = quiet_window.rehearsal
        with qtbot.waitSignal(page.question_shown, timeout=WAIT):
            qtbot.keyClick(quiet_window.home.list, Qt.Key.Key_P)
        box: QCheckBox = page.hands_free
        window_colour = page.palette().color(QPalette.ColorRole.Window)
        for checked in (False, True):
            box.setChecked(checked)
            option = QStyleOptionButton()
            box.initStyleOption(option)
            indicator = box.style().subElementRect(
                QStyle.SubElement.SE_CheckBoxIndicator, option, box
            )
            image = box.grab().toImage()
            best = max(
                contrast(image.pixelColor(x, y), window_colour)
                for y in range(indicator.top(), indicator.bottom() + 1)
                for x in range(indicator.left(), indicator.right() + 1)
            )
            # WCAG asks 3:1 of what a control is drawn with against what is around it.
            assert best >= 3, f"checked={checked}: the box's outline is {best:.1f}:1"
    finally:
        apply_theme(app, "system")


def test_the_menu_key_opens_the_selected_decks_menu(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[list[str]] = []

    def pop_up(menu: QMenu, _where: QPoint) -> None:  # the popup's own loop, skipped
        opened.append([a.text() for a in menu.actions() if a.text()])

    monkeypatch.setattr(HomePage, "pop_up", staticmethod(pop_up))
    window.home.list.setFocus()
    for key, modifier in (
        (Qt.Key.Key_Menu, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier),
    ):
        qtbot.keyClick(window.home.list, key, modifier)
    assert len(opened) == 2
    assert opened[0][:2] == ["Review flashcards (R)", "Rehearse role-plays (P)"]
    assert "Delete… (Del)" in opened[0]
