"""Questions are played through Qt: the sound reaches the speakers (here the virtual
sink, heard back through the virtual microphone), ``finished`` lets a hands-free
session start recording, and a bad file is reported rather than crashing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.speech.capture import Recorder
from app.speech.playback import FINISH_SETTLE_MS, Player
from app.speech.recognizer import Recognizer

from pulse_mic import PulseMic

pytestmark = [pytest.mark.slow, pytest.mark.pulse]
QUESTION = "How does retrieval keep the answers current?"


def test_a_question_plays_to_the_end_and_is_heard(
    qtbot: QtBot,
    pulse_mic: PulseMic,
    flite_wav: Callable[..., Path],
    data_dir: Path,
    whisper: Callable[..., Recognizer],
) -> None:
    listener = Recorder(data_dir)
    levels: list[float] = []
    listener.level.connect(levels.append)
    with qtbot.waitSignal(listener.level, timeout=20_000):
        listener.start(whisper(), "vmic")
    player = Player()

    with qtbot.waitSignal(player.finished, timeout=30_000):
        player.play(flite_wav(QUESTION, "kal16"))
    assert not player.is_playing()
    heard_first = max(levels)
    levels.clear()
    with qtbot.waitSignal(player.finished, timeout=30_000):
        player.replay()
    with qtbot.waitSignal(listener.finished, timeout=60_000) as done:
        listener.stop()

    assert heard_first > 0.1 and max(levels) > 0.1  # both plays reached the speakers
    assert min(levels) < 0.02  # and the meter drops back in the silence after
    assert done.args is not None
    assert "current" in done.args[0].text or "answers" in done.args[0].text


def test_stopping_does_not_count_as_finishing(
    qtbot: QtBot, pulse_mic: PulseMic, flite_wav: Callable[..., Path]
) -> None:
    player = Player()
    finished: list[bool] = []
    player.finished.connect(lambda: finished.append(True))
    player.play(flite_wav(QUESTION, "kal16"))
    qtbot.waitUntil(player.is_playing, timeout=10_000)

    player.stop()
    assert not player.is_playing()

    # Another clip played to its end: its finished comes after any the stopped one
    # queued, so exactly one means the stop did not count.
    with qtbot.waitSignal(player.finished, timeout=30_000):
        player.play(flite_wav("Done.", "kal16"))
    assert finished == [True]


def test_a_sound_stopped_the_moment_it_ends_does_not_count_as_finished(
    qtbot: QtBot, pulse_mic: PulseMic, flite_wav: Callable[..., Path]
) -> None:
    # ``finished`` comes a moment after the end (see playback.FINISH_SETTLE_MS); the
    # user who stops the sound in that moment did not let it finish.
    player = Player()
    finished: list[bool] = []
    player.finished.connect(lambda: finished.append(True))
    player.play(flite_wav("Done.", "kal16"))
    qtbot.waitUntil(player.ended, timeout=30_000)
    player.stop()
    qtbot.wait(3 * FINISH_SETTLE_MS)
    assert finished == []


@pytest.mark.qt_log_ignore("Could not open media")
def test_a_file_that_is_not_audio_is_reported(
    qtbot: QtBot, pulse_mic: PulseMic, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.wav"
    notes.write_text("not audio at all")
    player = Player()

    with qtbot.waitSignal(player.failed, timeout=10_000) as failed:
        player.play(notes)

    assert failed.args is not None and "notes.wav" in failed.args[0]
