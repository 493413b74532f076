"""The Whisper encoder sees each segment's speech, some silence after it, and lengths from
a short list: one length per frame count made the decoder process grow with every answer."""

from __future__ import annotations

from app.speech.whisper_decoder import SHAPE_STEP_FRAMES, encoder_frames

WINDOW = 3000  # faster-whisper pads every segment to 30 s of 10 ms frames
PAD = 600


def test_the_encoder_sees_all_the_speech_and_its_padding() -> None:
    for speech in range(0, WINDOW + 1, 7):
        frames = encoder_frames(speech, WINDOW, PAD)
        assert frames >= min(WINDOW, speech + PAD)
        assert frames - (speech + PAD) < SHAPE_STEP_FRAMES or frames == WINDOW


def test_segments_of_every_length_share_at_most_thirty_encoder_lengths() -> None:
    lengths = {encoder_frames(speech, WINDOW, PAD) for speech in range(WINDOW + 1)}
    assert len(lengths) <= WINDOW // SHAPE_STEP_FRAMES
    assert all(n % 2 == 0 for n in lengths)  # the encoder's convolution halves them


def test_a_segment_longer_than_the_window_is_cut_at_the_window() -> None:
    assert encoder_frames(WINDOW, WINDOW, PAD) == WINDOW
    assert encoder_frames(0, WINDOW, 0) == SHAPE_STEP_FRAMES
