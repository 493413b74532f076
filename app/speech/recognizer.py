"""The one streaming interface every recognition engine implements.

A recogniser serves exactly one recording: ``start()``, then ``accept()`` 16 kHz mono
int16 chunks as they arrive, ``partial()`` whenever a live caption is wanted, and
``finish()`` once for the ``Transcript``; ``settled()`` tells the part of the answer that
can no longer change. Loading a model is slow, so it is not done here: the model cache
loads it once on its own thread (``EngineSpec.model_future``) and ``start()`` waits for
that future, which is why callers still run ``start()`` off the GUI thread. Every recording
also runs through voice activity detection (``speech``), whatever the engine: it tells
when the speaker has finished and whether anyone spoke at all. A new engine is one
subclass plus its entry in ``engines.ENGINES``.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from app.model.words import TimedWord
from app.speech.audio import SAMPLE_WIDTH, TARGET_RATE, from_int16_bytes
from app.speech.vad import SpeechTracker


@dataclass(frozen=True)
class Hints:
    """What the answer is likely to contain, so an engine that can be biased towards
    words (Whisper, through its prompt) hears "RAG" rather than "rag" or "rack"."""

    vocabulary: tuple[str, ...] = ()


@dataclass
class Transcript:
    engine: str
    text: str
    words: list[TimedWord] = field(default_factory=list)
    duration_s: float = 0.0
    speech_s: float = 0.0  # how much of the recording voice detection took for speech

    @property
    def heard_nothing(self) -> bool:
        """No words at all: nothing to score, and nothing worth keeping as an attempt."""
        return not self.words and not self.text.strip()

    def to_json(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "text": self.text,
            "words": [
                {"word": w.word, "start": w.start, "end": w.end, "conf": w.conf} for w in self.words
            ],
            "duration_s": round(self.duration_s, 3),
            "speech_s": round(self.speech_s, 2),
        }


class Recognizer(abc.ABC):
    """Base class: tracks the audio fed so every engine reports the same duration."""

    engine: str = ""

    def __init__(self) -> None:
        self._bytes_fed = 0
        self._started = False
        self._finished = False
        self.speech = SpeechTracker()
        self._odd = b""

    def start(self) -> None:
        if self._started:
            raise RuntimeError("a recogniser serves one recording; make a new one")
        self._started = True
        self._start()

    def accept(self, chunk: bytes) -> None:
        if not self._started or self._finished:
            raise RuntimeError("accept() outside start()..finish()")
        # A device may hand over half a sample; it is kept for the next chunk, so every
        # engine sees whole int16 samples.
        chunk = self._odd + chunk
        usable = len(chunk) // SAMPLE_WIDTH * SAMPLE_WIDTH
        chunk, self._odd = chunk[:usable], chunk[usable:]
        if chunk:
            self._bytes_fed += len(chunk)
            self.speech.feed(from_int16_bytes(chunk))
            self._accept(chunk)

    def partial(self) -> str:
        if not self._started or self._finished:
            return ""
        return self._partial()

    def settled(self) -> str:
        """The start of the answer that will not change any more, as far as it is known:
        what may be scored ahead while the user is still speaking."""
        if not self._started or self._finished:
            return ""
        return self._settled()

    def _settled(self) -> str:
        return ""  # an engine that cannot tell settles nothing early

    def finish(self) -> Transcript:
        if not self._started or self._finished:
            raise RuntimeError("finish() called twice or before start()")
        self._finished = True
        words = self._finish()
        return Transcript(
            engine=self.engine,
            text=" ".join(w.word for w in words),
            words=words,
            duration_s=self.duration_s,
            speech_s=self.speech.speech_seconds(),
        )

    @property
    def duration_s(self) -> float:
        return self._bytes_fed / (SAMPLE_WIDTH * TARGET_RATE)

    @abc.abstractmethod
    def _start(self) -> None: ...

    @abc.abstractmethod
    def _accept(self, chunk: bytes) -> None: ...

    @abc.abstractmethod
    def _partial(self) -> str: ...

    @abc.abstractmethod
    def _finish(self) -> list[TimedWord]: ...


CHUNK_BYTES = 8000  # 0.25 s: what a microphone typically delivers at once


def transcribe_pcm(recognizer: Recognizer, pcm: bytes) -> Transcript:
    """Feeds a whole recording the way a live microphone would, in small chunks."""
    recognizer.start()
    for chunk in chunks(pcm):
        recognizer.accept(chunk)
    return recognizer.finish()


def chunks(pcm: bytes, size: int = CHUNK_BYTES) -> Iterable[bytes]:
    for offset in range(0, len(pcm), size):
        yield pcm[offset : offset + size]
