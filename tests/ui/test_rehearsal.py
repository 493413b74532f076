"""Rehearsing stakeholder questions: speaking into the microphone, typing instead, and
what happens without a microphone."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTextEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.core.models import Attempt, ReviewLog
from app.speech.playback import Player
from app.ui.main_window import MainWindow
from app.ui.rehearsal import RehearsalPage

from scripted_mic import ScriptedMicrophone

WAIT = 60_000
DECK = "RAG vs Fine-Tuning"
CORPUS = Path(__file__).parents[1] / "data" / "scoring" / "answers.toml"


def own_words_answer(card_guid: str) -> str:
    """An answer to this card in a speaker's own words, from the labelled corpus (written
    without looking at the model answer), that a fair judge credits with most points."""
    with CORPUS.open("rb") as f:
        answers = tomllib.load(f)["answer"]
    mine = [a for a in answers if a["card"] == card_guid and a["kind"] == "paraphrase"]
    assert mine, f"the corpus has no paraphrase for {card_guid}"
    return str(mine[0]["text"])


def start_rehearsal(qtbot: QtBot, window: MainWindow) -> None:
    page = window.rehearsal
    with qtbot.waitSignal(page.question_shown, timeout=10_000):
        qtbot.keyClick(window.home.list, Qt.Key.Key_P)
    qtbot.waitUntil(lambda: page.engine_choice is not None, timeout=30_000)


def highlighted_runs(view: QTextEdit) -> list[str]:
    """The pieces of text drawn on a coloured background, as the user sees them."""
    runs = []
    block = view.document().begin()
    while block.isValid():
        pieces = block.begin()
        while not pieces.atEnd():
            piece = pieces.fragment()
            if piece.charFormat().background().style() != Qt.BrushStyle.NoBrush:
                runs.append(piece.text())
            pieces += 1
        block = block.next()
    return runs


def type_answer(qtbot: QtBot, page: RehearsalPage, text: str) -> None:
    """T, the answer (pasted: QTest types ASCII only), Ctrl+Enter; waits for the result."""
    qtbot.keyClick(page, Qt.Key.Key_T)
    page.typed.insertPlainText(text)
    with qtbot.waitSignal(page.result_shown, timeout=20_000):
        qtbot.keyClick(page.typed, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def test_a_typed_answer_is_scored_stored_and_feeds_the_schedule(
    qtbot: QtBot, quiet_window: MainWindow
) -> None:
    window = quiet_window
    start_rehearsal(qtbot, window)
    page = window.rehearsal
    card = page.current
    assert card is not None and page.question.text().strip("“”") == card.question
    assert page.persona_name.text() and page.persona_cares.text()

    type_answer(
        qtbot,
        page,
        "We would look the facts up in our own documents every time someone asks, and "
        "only train the model for how it should sound.",
    )
    panel = page.result_panel
    assert panel.result is not None
    assert panel.coverage_label.text() == f"{round(panel.result.coverage * 100)}% covered"
    assert len(panel.verdicts()) == len(card.key_points)
    assert not panel.play_mine.isEnabled()  # a typed answer has no recording

    with qtbot.waitSignal(page.question_shown, timeout=10_000):
        qtbot.keyClick(page, Qt.Key.Key_Return)  # accept the suggested rating
    assert page.current is not None and page.current.id != card.id
    with window.backend.store().session() as s:
        attempt = s.scalars(select(Attempt).where(Attempt.card_id == card.id)).one()
        review = s.scalars(select(ReviewLog).where(ReviewLog.card_id == card.id)).one()
    assert attempt.engine == "typed" and attempt.coverage == panel.result.coverage
    assert review.attempt_id == attempt.id and review.rating == attempt.rating


def test_sentences_typed_so_far_are_scored_while_the_user_types_the_next(
    qtbot: QtBot, quiet_window: MainWindow
) -> None:
    from app.scoring.semantic import shared_encoder

    start_rehearsal(qtbot, quiet_window)
    page = quiet_window.rehearsal
    qtbot.keyClick(page, Qt.Key.Key_T)
    finished = "Customers get answers from the handbook pages as they read today."
    page.typed.insertPlainText(finished + " And the tone")
    # The finished sentence's vector (the scorer compares it without its full stop) is
    # ready before "Score answer" is pressed; the half-typed one is not computed yet.
    qtbot.waitUntil(lambda: shared_encoder().remembers(finished.rstrip(".")), timeout=WAIT)
    assert not shared_encoder().remembers("And the tone")
    page.typed.insertPlainText(" comes from training.")
    with qtbot.waitSignal(page.result_shown, timeout=20_000):
        qtbot.keyClick(page.typed, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert page.result_panel.result is not None


def test_an_off_topic_typed_answer_shows_what_was_missed(
    qtbot: QtBot, quiet_window: MainWindow
) -> None:
    window = quiet_window
    start_rehearsal(qtbot, window)
    page = window.rehearsal
    type_answer(qtbot, page, "We should order pizza for the team lunch on Friday.")
    states = page.result_panel.key_point_states()
    assert states and not any(states.values())
    assert set(page.result_panel.verdicts()) == {"missed"}
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
    assert page.typed.isVisible() and page.typed.hasFocus()  # switched to typing
    assert not page.record_button.isVisible()


def test_speaking_into_the_microphone_shows_coverage_and_the_key_points_met(
    qtbot: QtBot,
    quiet_window: MainWindow,
    scripted_mic: ScriptedMicrophone,
    flite: Callable[[str], Path],
) -> None:
    window = quiet_window
    start_rehearsal(qtbot, window)
    page = window.rehearsal
    card = page.current
    assert card is not None
    scripted_mic.say(flite(own_words_answer(card.guid)))

    with qtbot.waitSignal(page.recording_started, timeout=10_000):
        qtbot.keyClick(page, Qt.Key.Key_Space)
    assert scripted_mic.devices == ["vmic"]  # the microphone the settings name
    qtbot.waitUntil(lambda: scripted_mic.spoken, timeout=30_000)
    qtbot.waitUntil(lambda: page.partial.text() != "Listening…", timeout=30_000)
    with qtbot.waitSignal(page.result_shown, timeout=60_000):
        qtbot.keyClick(page, Qt.Key.Key_Space)

    panel = page.result_panel
    states = panel.key_point_states()
    assert panel.result is not None
    assert sum(states.values()) >= len(states) / 2, (panel.result.transcript, states)
    assert panel.coverage_bar.value() >= 50
    assert page.answer is not None and page.answer.wav_path
    assert panel.play_mine.isEnabled()
    # The transcript shows the evidence of met key points highlighted.
    met = [kp for kp in panel.result.key_points if kp.verdict == "met" and kp.evidence]
    runs = highlighted_runs(panel.transcript)
    assert met and runs
    assert all(run in panel.result.transcript for run in runs)
    assert any(
        panel.result.transcript[kp.evidence.start : kp.evidence.end] in runs
        for kp in met
        if kp.evidence is not None
    )


def test_a_user_flips_a_missed_point_to_met_and_the_card_learns_the_phrase(
    qtbot: QtBot, quiet_window: MainWindow
) -> None:
    from app.core.models import KeyPointRow
    from app.model.deckdata import KeyPoint
    from app.scoring import score_answer

    window = quiet_window
    start_rehearsal(qtbot, window)
    page = window.rehearsal
    card = page.current
    assert card is not None
    answer = "Honestly I would start small, try it with one team, and see what they say."
    type_answer(qtbot, page, answer)
    panel = page.result_panel
    assert panel.result is not None
    index, closest = next(
        (i, kp.closest)
        for i, kp in enumerate(panel.result.key_points)
        if kp.verdict == "missed" and kp.closest
    )
    phrase = closest.text
    assert panel.flip_buttons[index].text() == "Count it"

    with qtbot.waitSignal(page.result_shown, timeout=20_000):
        qtbot.mouseClick(panel.flip_buttons[index], Qt.MouseButton.LeftButton)

    assert panel.verdicts()[index] == "met"
    assert panel.result.coverage > 0
    with window.backend.store().session() as s:
        point = s.scalars(
            select(KeyPointRow).where(KeyPointRow.card_id == card.id, KeyPointRow.position == index)
        ).one()
        assert phrase in point.alternatives
        learned = list(point.alternatives)
    # The same answer, scored again from the card as it is now stored, meets the point.
    points = [KeyPoint(kp.label, list(kp.alternatives)) for kp in card.key_points]
    points[index].alternatives = learned
    again = score_answer(answer, points, glossary=card.glossary)
    assert again.key_points[index].verdict == "met"

    with qtbot.waitSignal(page.result_shown, timeout=20_000):
        qtbot.keyClick(page, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert panel.verdicts()[index] == "missed"
    with window.backend.store().session() as s:
        stored = s.get(KeyPointRow, point.id)
        assert stored is not None and phrase not in stored.alternatives


def test_a_recording_stopped_at_once_says_nothing_was_heard_and_can_be_retried(
    qtbot: QtBot, quiet_window: MainWindow, scripted_mic: ScriptedMicrophone
) -> None:
    window = quiet_window
    start_rehearsal(qtbot, window)
    page = window.rehearsal
    with window.backend.store().session() as s:
        attempts_before = s.query(Attempt).count()

    # Space, and Space again straight away: a recording of a few milliseconds.
    with qtbot.waitSignal(page.recording_started, timeout=10_000):
        qtbot.keyClick(page, Qt.Key.Key_Space)
    qtbot.keyClick(page, Qt.Key.Key_Space)

    qtbot.waitUntil(lambda: page.record_button.isEnabled(), timeout=30_000)
    assert "Nothing was heard" in page.banner.label.text()
    assert page.answer is None
    with window.backend.store().session() as s:
        assert s.query(Attempt).count() == attempts_before
    # And the user can simply record again.
    with qtbot.waitSignal(page.recording_started, timeout=10_000):
        qtbot.keyClick(page, Qt.Key.Key_Space)
    assert page.record_button.text() == "■ Stop"


def test_the_play_buttons_say_what_is_playing_and_a_second_press_stops_it(
    qtbot: QtBot,
    quiet_window: MainWindow,
    scripted_mic: ScriptedMicrophone,
    flite: Callable[[str], Path],
) -> None:
    window = quiet_window
    start_rehearsal(qtbot, window)
    page = window.rehearsal
    scripted_mic.say(flite("Retrieval keeps the answers current without retraining."))
    with qtbot.waitSignal(page.recording_started, timeout=10_000):
        qtbot.keyClick(page, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: scripted_mic.spoken, timeout=30_000)
    with qtbot.waitSignal(page.result_shown, timeout=60_000):
        qtbot.keyClick(page, Qt.Key.Key_Space)
    panel = page.result_panel
    assert panel.play_mine.text() == "▶ My recording" and panel.play_mine.isEnabled()

    qtbot.keyClick(page, Qt.Key.Key_A)
    assert panel.play_mine.text() == "■ Stop my recording"
    assert "Stop playing (A)" in panel.play_mine.toolTip()
    player = page.findChild(Player)
    assert player is not None
    qtbot.waitUntil(player.is_playing, timeout=10_000)
    qtbot.keyClick(page, Qt.Key.Key_A)
    assert not player.is_playing() and panel.play_mine.text() == "▶ My recording"

    qtbot.keyClick(page, Qt.Key.Key_M)  # rendering a long answer takes a moment
    assert panel.play_model.text() == "■ Stop model answer"
    qtbot.waitUntil(player.is_playing, timeout=20_000)
    qtbot.mouseClick(panel.play_model, Qt.MouseButton.LeftButton)
    assert not player.is_playing() and panel.play_model.text() == "▶ Model answer"

    # Played to its end, the recording's button goes back to "play" by itself.
    with qtbot.waitSignal(player.finished, timeout=30_000):
        qtbot.mouseClick(panel.play_mine, Qt.MouseButton.LeftButton)
    assert panel.play_mine.text() == "▶ My recording"


def answer_hands_free(
    qtbot: QtBot, window: MainWindow, mic: ScriptedMicrophone, clip: Path
) -> RehearsalPage:
    """Hands-free on, a second of silence ends an answer; P, and the microphone says
    ``clip`` once the question has been asked. Returns the page with the result shown."""
    backend = window.backend
    backend.save_settings(replace(backend.settings, hands_free=True, end_silence_s=1.0))
    page = window.rehearsal
    mic.say(clip)
    with qtbot.waitSignal(page.recording_started, timeout=WAIT):
        qtbot.keyClick(window.home.list, Qt.Key.Key_P)
    with qtbot.waitSignal(page.result_shown, timeout=WAIT):
        pass  # the answer is heard, the silence after it stops the recording
    return page


def pause_when_the_next_question_shows(page: RehearsalPage) -> None:
    """F as the next question appears, before hands-free reads it out and records: the
    story ends there, and a question still playing or a recording still running when
    the window closes is work the next test would inherit (a hang in Qt's audio output
    once kept a full run waiting for good)."""
    page.question_shown.connect(lambda: page.hands_free.setChecked(False))


def test_hands_free_the_question_is_read_the_answer_heard_and_a_pause_ends_it(
    qtbot: QtBot,
    quiet_window: MainWindow,
    scripted_mic: ScriptedMicrophone,
    flite: Callable[[str], Path],
) -> None:
    # P, and nothing more: the question is spoken, the recording starts after it, and a
    # second of silence after the answer stops it and shows the result.
    clip = flite("Retrieval keeps the answers current without retraining.")
    page = answer_hands_free(qtbot, quiet_window, scripted_mic, clip)
    assert page.hands_free.isChecked()  # the setting reached the page's box
    assert scripted_mic.spoken
    assert page.answer is not None
    assert "retraining" in page.answer.result.transcript.lower()  # what was said was heard
    assert page.answer.wav_path


def test_hands_free_waits_for_the_user_when_a_verdict_is_unsure(
    qtbot: QtBot,
    quiet_window: MainWindow,
    scripted_mic: ScriptedMicrophone,
    flite: Callable[[str], Path],
) -> None:
    # A vague answer, close to one key point without clearly making it: the scorer is
    # not sure of that verdict, so nothing should be rated without the user.
    clip = flite("The model reads our pages before it answers.")
    page = answer_hands_free(qtbot, quiet_window, scripted_mic, clip)
    answer = page.answer
    assert answer is not None and not answer.result.confident, "the answer must be unsure"
    countdown = page.result_panel.countdown.text()
    assert "waiting" in countdown and "unsure" in countdown
    assert "accepting" not in countdown  # no automatic rating is under way
    pause_when_the_next_question_shows(page)
    with qtbot.waitSignal(page.question_shown, timeout=WAIT):
        qtbot.keyClick(page, Qt.Key.Key_Return)  # the user checks, then accepts
    assert page.answer is None or page.answer is not answer


def test_hands_free_counts_down_to_the_suggested_rating_when_every_verdict_is_sure(
    qtbot: QtBot,
    quiet_window: MainWindow,
    scripted_mic: ScriptedMicrophone,
    flite: Callable[[str], Path],
) -> None:
    clip = flite("We can use both of them together.")
    page = answer_hands_free(qtbot, quiet_window, scripted_mic, clip)
    assert page.answer is not None and page.answer.result.confident, "the answer must be sure"
    assert "accepting" in page.result_panel.countdown.text()
    pause_when_the_next_question_shows(page)
    with qtbot.waitSignal(page.question_shown, timeout=WAIT):
        pass  # the countdown rates it and asks the next question by itself
