"""An 800×600 window: the rehearsal result keeps its rating buttons in sight and its
model answer in reach, nothing scrolls sideways, and the question does not move when
the result replaces the record button."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.ui.main_window import MainWindow
from app.ui.reflow import Reflow

from scripted_mic import ScriptedMicrophone

WAIT = 30_000


def on_screen(widget: QWidget, window: MainWindow) -> bool:
    """The whole of ``widget`` is inside the window and shown (not scrolled away)."""
    visible = widget.visibleRegion().boundingRect()
    top_left = widget.mapTo(window, QPoint(0, 0))
    return (
        widget.isVisible()
        and visible.size() == widget.size()
        and window.rect().contains(QRect(top_left, widget.size()))
    )


def settle_layout() -> None:
    """Runs the layout requests that showing the result posted (they cascade from the
    panel up to the page's scroll area), so geometry is read after them, not before."""
    for _ in range(5):
        QApplication.sendPostedEvents()
        QApplication.processEvents()


def test_the_rehearsal_result_fits_800_by_600_without_moving_the_question(
    qtbot: QtBot, quiet_window: MainWindow
) -> None:
    window = quiet_window
    window.resize(800, 600)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == (800, 600))
    page = window.rehearsal
    with qtbot.waitSignal(page.question_shown, timeout=WAIT):
        qtbot.keyClick(window.home.list, Qt.Key.Key_P)
    qtbot.waitUntil(lambda: page.engine_choice is not None, timeout=WAIT)
    question_at = page.question.mapTo(window, QPoint(0, 0))
    persona_at = page.persona_name.mapTo(window, QPoint(0, 0))
    assert on_screen(page.record_button, window)

    qtbot.keyClick(page, Qt.Key.Key_T)
    page.typed.insertPlainText("We look facts up at query time and train only the tone.")
    with qtbot.waitSignal(page.result_shown, timeout=WAIT):
        qtbot.keyClick(page.typed, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    settle_layout()
    panel = page.result_panel
    assert all(on_screen(b, window) for b in panel.rating_buttons.values())
    outer = window.stack.scroll_area(page)
    assert outer.horizontalScrollBar().maximum() == 0
    assert outer.verticalScrollBar().maximum() == 0
    assert page.question.mapTo(window, QPoint(0, 0)) == question_at
    assert page.persona_name.mapTo(window, QPoint(0, 0)) == persona_at
    # Too narrow for two columns: the model answer is below the key points, one scroll away.
    assert not panel.columns.side_by_side
    assert not on_screen(panel.play_model, window)
    panel.details.ensureWidgetVisible(panel.play_model)
    settle_layout()
    assert on_screen(panel.play_model, window)
    assert on_screen(panel.rating_buttons[1], window)


def test_two_cards_stand_side_by_side_when_they_fit_and_stack_when_not(qtbot: QtBot) -> None:
    row = Reflow(breakpoint=500)
    cards = [QPushButton("Key points"), QPushButton("Model answer")]
    for card in cards:
        card.setMinimumWidth(300)
        row.addWidget(card)
    window = QWidget()
    QVBoxLayout(window).addWidget(row)
    qtbot.addWidget(window)
    window.resize(700, 200)
    window.show()
    qtbot.waitUntil(lambda: row.side_by_side)
    assert cards[0].y() == cards[1].y()
    # The window may narrow it to one card's width: then they stack.
    assert row.minimumSizeHint().width() == 300
    window.resize(420, 400)
    qtbot.waitUntil(lambda: not row.side_by_side)
    qtbot.waitUntil(lambda: cards[1].y() > cards[0].y())
    assert cards[0].x() == cards[1].x()


def test_esc_while_recording_asks_before_the_answer_is_thrown_away(
    qtbot: QtBot,
    quiet_window: MainWindow,
    scripted_mic: ScriptedMicrophone,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.ui import rehearsal

    window = quiet_window
    page = window.rehearsal
    with qtbot.waitSignal(page.question_shown, timeout=WAIT):
        qtbot.keyClick(window.home.list, Qt.Key.Key_P)
    qtbot.waitUntil(lambda: page.engine_choice is not None, timeout=WAIT)
    with qtbot.waitSignal(page.recording_started, timeout=WAIT):
        qtbot.keyClick(page, Qt.Key.Key_Space)
    assert page.answer_hint.text().startswith("Space stop and score")

    asked: list[bool] = []
    monkeypatch.setattr(rehearsal, "ask_discard_recording", lambda parent: asked.append(False))
    qtbot.keyClick(page, Qt.Key.Key_Escape)  # "Cancel": still recording, still here
    assert asked == [False] and page.record_button.text() == "■ Stop"
    assert window.stack.currentWidget() is page

    monkeypatch.setattr(rehearsal, "ask_discard_recording", lambda parent: True)
    with qtbot.waitSignal(window.home_shown, timeout=WAIT):
        qtbot.keyClick(page, Qt.Key.Key_Escape)
    assert window.stack.currentWidget() is window.home
