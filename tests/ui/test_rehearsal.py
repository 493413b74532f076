"""Rehearsing stakeholder questions: speaking into the microphone, typing instead, and
what happens without a microphone."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.core.models import Attempt, ReviewLog
from app.ui.main_window import MainWindow

DECK = "RAG vs Fine-Tuning"


def start_rehearsal(qtbot: QtBot, window: MainWindow) -> None:
    page = window.rehearsal
    with qtbot.waitSignal(page.question_shown, timeout=10_000):
        qtbot.keyClick(window.home.list, Qt.Key.Key_P)
    qtbot.waitUntil(lambda: page.engine_choice is not None, timeout=30_000)


def test_typing_the_model_answer_covers_every_key_point_and_feeds_the_schedule(
    qtbot: QtBot, quiet_window: MainWindow
) -> None:
    window = quiet_window
    start_rehearsal(qtbot, window)
    page = window.rehearsal
    card = page.current
    assert card is not None and page.question.text().strip("“”") == card.question
    assert page.persona_name.text() and page.persona_cares.text()

    qtbot.keyClick(page, Qt.Key.Key_T)
    assert page.stages.currentIndex() == 1
    page.typed.insertPlainText(card.model_answer)  # pasted: QTest types ASCII only
    with qtbot.waitSignal(page.result_shown, timeout=20_000):
        qtbot.keyClick(page.typed, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    panel = page.result_panel
    assert panel.coverage_label.text() == "100% covered"
    assert all(panel.key_point_states().values())
    assert len(panel.key_point_states()) == len(card.key_points)
    assert not panel.play_mine.isEnabled()  # a typed answer has no recording

    with qtbot.waitSignal(page.question_shown, timeout=10_000):
        qtbot.keyClick(page, Qt.Key.Key_Return)  # accept the suggested rating
    assert page.current is not None and page.current.id != card.id
    with window.backend.store().session() as s:
        attempt = s.scalars(select(Attempt).where(Attempt.card_id == card.id)).one()
        review = s.scalars(select(ReviewLog).where(ReviewLog.card_id == card.id)).one()
    assert attempt.engine == "typed" and attempt.coverage == 1.0
    assert review.attempt_id == attempt.id and review.rating == attempt.rating


def test_an_off_topic_typed_answer_shows_what_was_missed(
    qtbot: QtBot, quiet_window: MainWindow
) -> None:
    window = quiet_window
    start_rehearsal(qtbot, window)
    page = window.rehearsal
    qtbot.keyClick(page, Qt.Key.Key_T)
    qtbot.keyClicks(page.typed, "We should order pizza for the team lunch on Friday.")
    with qtbot.waitSignal(page.result_shown, timeout=20_000):
        qtbot.keyClick(page.typed, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    states = page.result_panel.key_point_states()
    assert states and not any(states.values())
    assert "missed" in page.result_panel.points_label.text()
    assert page.result_panel.suggested == 1


def test_without_the_chosen_microphone_the_user_is_told_and_can_type(
    qtbot: QtBot, quiet_window: MainWindow
) -> None:
    window = quiet_window
    window.backend.settings.input_device = "No Such Microphone"
    start_rehearsal(qtbot, window)
    page = window.rehearsal
    qtbot.keyClick(page, Qt.Key.Key_Space)
    assert page.banner.isVisible()
    assert "No Such Microphone" in page.banner.label.text()
    assert "Type your answer" in page.banner.label.text()
    assert page.stages.currentIndex() == 1  # switched to typing
    assert page.typed.hasFocus()


def test_speaking_into_the_microphone_shows_coverage_and_the_key_points_met(
    qtbot: QtBot,
    quiet_window: MainWindow,
    pulse_mic,
    flite,  # type: ignore[no-untyped-def]
) -> None:
    window = quiet_window
    start_rehearsal(qtbot, window)
    page = window.rehearsal
    card = page.current
    assert card is not None
    answer = flite(card.model_answer)

    with qtbot.waitSignal(page.recording_started, timeout=10_000):
        qtbot.keyClick(page, Qt.Key.Key_Space)
    player = pulse_mic.play(answer)
    qtbot.waitUntil(lambda: player.poll() is not None, timeout=60_000)
    _, errors = player.communicate()  # also closes the pipe
    assert player.returncode == 0, errors
    qtbot.waitUntil(
        lambda: page.level.level > 0 or page.partial.text() != "Listening…", timeout=5_000
    )
    qtbot.wait(300)  # let the last buffered audio reach the recogniser
    with qtbot.waitSignal(page.result_shown, timeout=60_000):
        qtbot.keyClick(page, Qt.Key.Key_Space)

    panel = page.result_panel
    states = panel.key_point_states()
    assert sum(states.values()) >= len(states) / 2, (panel.result.transcript, states)
    assert panel.coverage_bar.value() >= 50
    assert page.answer is not None and page.answer.wav_path
    assert panel.play_mine.isEnabled()
    # The transcript shows the evidence of met key points highlighted.
    assert "#fff1a8" in panel.transcript.toHtml()
