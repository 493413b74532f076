"""Whisper decodes in a process of its own: the window never waits for it, and when that
process dies the answer in progress fails with a message while the next one is heard."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from app.model.errors import KnownError
from app.speech.audio import load_pcm16k
from app.speech.recognizer import Recognizer, transcribe_pcm
from app.speech.whisper_decoder import DecoderProcess
from app.speech.whisper_engine import WhisperRecognizer
from app.speech.whisper_models import builtin_model

SAID = "we keep the policies in a search index so the answers can quote them"


def floats(wav: Path) -> np.ndarray:
    return np.frombuffer(load_pcm16k(wav), dtype=np.int16).astype(np.float32) / 32768.0


def test_the_recording_is_decoded_outside_the_app_process(
    whisper: Callable[..., Recognizer], flite_wav: Callable[..., Path]
) -> None:
    recognizer = whisper(live=False)
    transcript = transcribe_pcm(recognizer, load_pcm16k(flite_wav(SAID, "slt")))
    assert isinstance(recognizer, WhisperRecognizer) and recognizer.decoder is not None
    assert recognizer.decoder.pid not in (None, os.getpid())
    assert {"policies", "search", "index"} <= set(transcript.text.lower().split())


def test_a_decoder_that_dies_fails_what_it_held_and_the_next_answer_gets_a_new_one(
    flite_wav: Callable[..., Path],
) -> None:
    path = builtin_model()
    assert path is not None
    decoder = DecoderProcess(path)
    try:
        audio = floats(flite_wav(SAID, "rms"))
        first_pid = decoder.pid
        assert first_pid is not None
        lost = decoder.submit(audio, 0.0, "")
        os.kill(first_pid, signal.SIGKILL)  # mid-decode, as a crash in native code would
        with pytest.raises(KnownError, match="decoder stopped"):
            lost.result(timeout=60)

        deadline = time.monotonic() + 30
        while decoder.pid == first_pid and time.monotonic() < deadline:
            time.sleep(0.05)  # the reply reader notices the end of the pipe
        words = decoder.submit(audio, 1.5, "").result(timeout=120)
        assert decoder.pid not in (None, first_pid)
        assert "index" in [w.word.strip(".,").lower() for w in words]
        assert words[0].start >= 1.5  # timed from where the stretch began
    finally:
        decoder.close()


def test_a_model_the_decoder_cannot_load_is_refused_in_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "tiny-broken"
    broken.mkdir()
    (broken / "model.bin").write_bytes(b"not a model")
    (broken / "config.json").write_text("{}")
    (broken / "tokenizer.json").write_text("{}")
    (broken / "vocabulary.txt").write_text("a\n")
    with pytest.raises(KnownError) as err:
        DecoderProcess(broken)
    message = str(err.value)
    assert "\n" not in message and str(broken) in message
