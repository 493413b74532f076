"""Now and then Whisper's greedy decoding falls into a loop and writes one phrase over
and over for the whole answer. The decoder notices and decodes that stretch again, so
the user's answer is heard instead of "I'm not, I'm not, ..."."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from app.speech import whisper_decoder
from app.speech.audio import load_pcm16k
from app.speech.recognizer import Recognizer, transcribe_pcm
from app.speech.whisper_decoder import Word, decode, looping
from bench import speech_set

# A speaker's answer to "should the order service call email directly or use a queue?",
# and the card's key points, which the app gives Whisper as hotwords.
ANSWER = (
    "A direct call ties orders to email: if email is slow, checkout is slow. The queue cuts"
    " that link. It also acts as a buffer during peaks, and it re-delivers anything that"
    " failed. Costs: delivery lags by a few seconds, and when something goes wrong, tracking"
    " it down takes longer."
)
KEY_POINTS = (
    "decouples the services",
    "absorbs traffic spikes",
    "automatic retries",
    "work happens later",
    "harder to debug",
)


def words_of(text: str) -> list[Word]:
    return [Word(w, i * 0.3, i * 0.3 + 0.25, 0.9) for i, w in enumerate(text.split())]


def test_a_phrase_said_over_and_over_is_a_loop_and_an_answer_is_not() -> None:
    assert looping(words_of("I'm not, " * 30))
    assert not looping(words_of(ANSWER))
    assert not looping(words_of("No, no, no. Retrieval, not training."))
    assert not looping([])


class LoopingWhisper:
    """faster-whisper's model, as far as decode() uses it: with the filler prompt it
    loops, as the real one did on the recording below."""

    def __init__(self) -> None:
        self.prompts: list[str | None] = []

    def transcribe(self, audio: Any, **options: Any) -> tuple[list[Any], None]:
        self.prompts.append(options["initial_prompt"])
        text = " I'm not," * 40 if options["initial_prompt"] else " The queue cuts that link."
        words = [
            SimpleNamespace(word=" " + w, start=i * 0.3, end=i * 0.3 + 0.25, probability=0.9)
            for i, w in enumerate(text.split())
        ]
        return [SimpleNamespace(words=words)], None


def test_a_stretch_that_loops_is_decoded_again_without_the_prompt() -> None:
    model = LoopingWhisper()
    words = decode(model, np.zeros(16000, dtype=np.float32), 0.0, "")
    assert " ".join(w.word for w in words) == "The queue cuts that link."
    assert model.prompts == [whisper_decoder.FILLER_PROMPT, None]


def test_a_fast_british_voice_that_sent_whisper_into_a_loop_is_heard(
    whisper: Callable[..., Recognizer], tmp_path: Path
) -> None:
    voice = next(v for v in speech_set.VOICES if v.name == "espeak-en-gb")
    fast = next(c for c in speech_set.CONDITIONS if c.name == "fast")
    clip = speech_set.render(speech_set.SpokenAnswer("loop", ANSWER, (), ()), voice, fast, tmp_path)
    transcript = transcribe_pcm(whisper(live=False, vocabulary=KEY_POINTS), load_pcm16k(clip))
    assert not looping(words_of(transcript.text))
    assert speech_set.wer(ANSWER, transcript.text) < 0.8
