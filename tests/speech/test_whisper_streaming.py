"""Whisper listens while the user speaks: what is said is decoded during the answer, so
on stop little is left to do, and what Whisper invents past the speech is dropped."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np

from app.speech import whisper_engine
from app.speech.audio import load_pcm16k
from app.speech.recognizer import Recognizer, chunks
from app.speech.whisper_decoder import Word, without_made_up_ending

# One long breath: no pause for voice detection to close a segment at.
LONG_ANSWER = (
    "so the way I would put it to the team is that retrieval keeps the documents outside "
    "the model where we can change them every day while fine tuning bakes the style into "
    "the weights and we would have to train again each time the policies move on"
)


def words_of(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower().replace("-", " "))


def decoder_caught_up(recognizer: Recognizer) -> None:
    """Waits until the decoder process has answered everything sent so far, as a machine
    fast enough to keep up with the speaker would have."""
    assert isinstance(recognizer, whisper_engine.WhisperRecognizer)
    assert recognizer.decoder is not None
    recognizer.decoder.caught_up(timeout=120)


def speak_into(recognizer: Recognizer, wav: Path) -> list[str]:
    """Feeds a recording as a microphone would, letting the decoder keep up; returns the
    live captions seen along the way."""
    captions = []
    recognizer.start()
    for chunk in chunks(load_pcm16k(wav)):
        recognizer.accept(chunk)
        decoder_caught_up(recognizer)
        captions.append(recognizer.partial())
    return captions


def test_a_long_answer_without_pauses_is_settled_while_it_is_spoken(
    whisper: Callable[..., Recognizer], flite_wav: Callable[..., Path]
) -> None:
    recognizer = whisper(live=True)
    captions = speak_into(recognizer, flite_wav(LONG_ANSWER, "rms"))
    assert isinstance(recognizer, whisper_engine.WhisperRecognizer)

    # Words two captions agreed on were settled during the answer, not left for stop.
    assert recognizer.words_committed >= 10
    assert any(len(words_of(c)) >= 10 for c in captions)

    transcript = recognizer.finish()
    heard, said = words_of(transcript.text), words_of(LONG_ANSWER)
    assert len(set(heard) & set(said)) >= 0.7 * len(set(said)), transcript.text
    # Where a settled part meets the rest, no word is lost or heard twice.
    assert 0.8 * len(said) <= len(heard) <= 1.1 * len(said), transcript.text
    doubled = [a for a, b in itertools.pairwise(heard) if a == b]
    assert doubled == [], transcript.text
    starts = [w.start for w in transcript.words]
    assert starts == sorted(starts)


def test_without_live_captions_the_answer_is_decoded_at_its_pauses_only(
    whisper: Callable[..., Recognizer], flite_wav: Callable[..., Path]
) -> None:
    recognizer = whisper(live=False)
    speak_into(recognizer, flite_wav(LONG_ANSWER, "slt"))
    transcript = recognizer.finish()
    assert isinstance(recognizer, whisper_engine.WhisperRecognizer)
    assert recognizer.words_committed == 0
    said = set(words_of(LONG_ANSWER))
    assert len(set(words_of(transcript.text)) & said) >= 0.7 * len(said), transcript.text


def word(text: str, start: float, end: float, conf: float = 0.9) -> Word:
    return Word(text, start, end, conf)


def test_words_whisper_carries_on_with_after_the_speech_are_dropped() -> None:
    spoken = [word("people", 16.25, 16.61), word("check", 16.99, 17.25), word("it.", 17.25, 17.45)]
    # What Whisper wrote past the end: pinned to the last frame, or given no confidence.
    invented = [word("RAG,", 17.45, 17.70, 0.0), word("RAG,", 17.7, 17.7), word("F", 17.7, 17.7)]
    assert without_made_up_ending(spoken + invented) == spoken
    # A short, confident last word is kept; so is an unsure word before real speech.
    unsure = [word("um", 15.0, 15.3, 0.01), *spoken, word("yes", 17.5, 17.6)]
    assert without_made_up_ending(unsure) == unsure


def test_stopping_mid_sentence_decodes_again_only_what_the_last_caption_left_open(
    whisper: Callable[..., Recognizer], flite_wav: Callable[..., Path]
) -> None:
    recognizer = whisper(live=True)
    assert isinstance(recognizer, whisper_engine.WhisperRecognizer)
    audio = list(chunks(load_pcm16k(flite_wav(LONG_ANSWER, "rms"))))
    recognizer.start()
    spoken = int(len(audio) * 0.7)  # the user stops mid-sentence
    for chunk in audio[:spoken]:
        recognizer.accept(chunk)
        decoder_caught_up(recognizer)
    for chunk in audio[spoken : spoken + 2]:  # half a second the last caption has not seen
        recognizer.accept(chunk)
    decoder = recognizer.decoder
    assert decoder is not None
    captioned_to = recognizer._caption_upto / 16000
    sent: list[tuple[float, float]] = []
    submit = decoder.submit

    def noted(audio: np.ndarray, offset_s: float, *rest: object) -> object:
        sent.append((offset_s, len(audio) / 16000))
        return submit(audio, offset_s, *rest)  # type: ignore[arg-type]

    decoder.submit = noted  # type: ignore[method-assign,assignment]
    transcript = recognizer.finish()

    # One request, starting a lead-in before the caption's unsettled last words.
    reuse_from = captioned_to - whisper_engine.COMMIT_HOLD_S - whisper_engine.LEAD_IN_S
    assert len(sent) == 1 and sent[0][0] >= reuse_from - 0.3, (sent, captioned_to)
    heard = words_of(transcript.text)
    said = words_of(LONG_ANSWER)[: int(len(words_of(LONG_ANSWER)) * 0.7)]
    assert len(set(heard) & set(said)) >= 0.7 * len(set(said)), transcript.text
    assert [a for a, b in itertools.pairwise(heard) if a == b] == [], transcript.text
