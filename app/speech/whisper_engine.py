"""Whisper through faster-whisper (CTranslate2): the built-in engine.

Whisper decodes a stretch of audio at a time, not word by word, so a recording is cut
into segments at the speaker's pauses (voice activity, see ``vad``) and each closed
segment is decoded on the decoder thread while the user goes on talking. The segment
still open is decoded again about once a second for the live caption, and only when the
decoder is idle, so captions never queue up in front of real work. On stop only the
tail after the last pause is left to decode.

Whisper was trained to write clean prose and leaves out "um" and restarts; a prompt
written with hesitations makes it keep them, which filler counts need. The card's
vocabulary is given as hotwords so domain terms come out as the deck spells them.
CTranslate2 releases the GIL while it computes, so decoding never holds the GUI thread.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from app.core.errors import KnownError
from app.scoring import TimedWord
from app.speech.audio import TARGET_RATE, from_int16_bytes
from app.speech.recognizer import Hints, Recognizer
from app.speech.whisper_models import ENGINE, check_model_dir

# A pause this long closes a segment, once the segment holds this much audio: shorter
# pieces give Whisper too little context and invite made-up words.
MIN_PAUSE_S = 0.45
MIN_SEGMENT_S = 2.5
# Without a pause, a segment is split here at its quietest point: Whisper's window is
# 30 s, and a long open segment would make every live caption slow.
MAX_SEGMENT_S = 18.0
CAPTION_EVERY_S = 1.0
LEAD_IN_S = 2.0  # audio before a segment decoded with it, for context
SPEECH_PAD_S = 0.25  # audio kept around detected speech: onsets and endings are soft
# Written the way people talk, so Whisper keeps hesitations instead of tidying them.
FILLER_PROMPT = "Umm, so, uh, let me think. I mean, it's, like, you know, hmm, well..."
MAX_HOTWORDS_CHARS = 300
# Whisper's encoder always looks at 30 s; a segment is padded to that with silence. Cut
# to the speech plus this much silence, encoding takes a fraction of the time: on 16
# clips in four voices 1 s of padding raised the word error rate from 0.14 to 0.34, 10 s
# kept it (0.12). bench/bench_recognition.py compares it with the full window.
ENCODER_PAD_S = 10.0  # the prompt shares Whisper's 448-token context with the answer

FloatArray = npt.NDArray[np.float32]

# One decoder thread for all recordings: CTranslate2 uses every core for one decode, so
# two at once would only take turns more slowly.
_decoder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="whisper-decode")


def cpu_threads() -> int:
    """Threads for one decode: the machine's cores, capped where more stop helping."""
    return max(1, min(os.cpu_count() or 1, 8))


def load(path: Path, encoder_pad_s: float | None = None) -> Any:
    """The model in ``path``. ``encoder_pad_s`` None: the short encoder window (see
    ``ENCODER_PAD_S``); 0 or more: that many seconds after the speech; the benches use
    30 to compare with Whisper's full window."""
    check_model_dir(path)
    try:
        from faster_whisper import WhisperModel
    except ImportError as err:
        raise KnownError("faster-whisper is not installed; reinstall Parley.") from err
    pad_frames = int((ENCODER_PAD_S if encoder_pad_s is None else encoder_pad_s) * 100)

    class ShortWindowWhisper(WhisperModel):  # type: ignore[misc]
        def encode(self, features: Any) -> Any:
            # faster-whisper pads every segment's features with zeros to 30 s; encoding
            # only the speech and some of that padding costs a third of the time.
            batch = features if features.ndim == 3 else features[None]
            used = np.flatnonzero(np.any(batch[0] != 0, axis=0))
            keep = min(batch.shape[-1], (int(used[-1]) + 1 if len(used) else 0) + pad_frames)
            keep += keep % 2  # the encoder's convolution halves the frames
            return super().encode(np.ascontiguousarray(batch[..., : max(keep, 2)]))

    try:
        return ShortWindowWhisper(
            str(path),
            device="cpu",
            compute_type="int8",
            cpu_threads=cpu_threads(),
            local_files_only=True,
        )
    except (RuntimeError, ValueError, OSError) as err:
        raise KnownError(f"{path}: faster-whisper could not load this model ({err}).") from err


def decode(model: Any, audio: FloatArray, offset_s: float, hotwords: str) -> list[TimedWord]:
    """Words of one stretch of speech, timed from the start of the recording."""
    segments, _info = model.transcribe(
        audio,
        language="en",
        beam_size=1,
        word_timestamps=True,
        initial_prompt=FILLER_PROMPT,
        hotwords=hotwords or None,
        condition_on_previous_text=False,
        vad_filter=False,  # the segments are already cut at speech
        # Greedy first; one warmer retry when the text comes out repetitive. The full
        # ladder of six temperatures can turn a 6 s segment into 30 s of decoding.
        temperature=(0.0, 0.4),
        # Speech rarely exceeds 4 words (about 6 tokens) a second: a bound that stops a
        # hallucination loop long before Whisper's own 448.
        max_new_tokens=min(440, int(len(audio) / TARGET_RATE * 8) + 16),
    )
    words: list[TimedWord] = []
    for segment in segments:
        for w in segment.words or ():
            text = w.word.strip()
            if not text:
                continue
            start = round(offset_s + float(w.start), 2)
            end = round(offset_s + float(w.end), 2)
            conf = round(float(w.probability), 3)
            if words and not w.word[:1].isspace():
                # A piece of the word before ("fine" "-tuning"): Whisper marks new words
                # with a leading space.
                last = words[-1]
                words[-1] = TimedWord(last.word + text, last.start, end, min(last.conf or 1, conf))
            else:
                words.append(TimedWord(text, start, end, conf))
    return words


def hotwords_for(hints: Hints) -> str:
    terms = list(dict.fromkeys(t.strip() for t in hints.vocabulary if t.strip()))
    out: list[str] = []
    for term in terms:
        if sum(len(t) + 2 for t in [*out, term]) > MAX_HOTWORDS_CHARS:
            break
        out.append(term)
    return ", ".join(out)


class WhisperRecognizer(Recognizer):
    engine = ENGINE

    def __init__(self, model: Future[Any], hints: Hints | None = None, live: bool = True) -> None:
        super().__init__()
        self._live = live  # live captions; off for files, where nobody is watching
        self._model_future = model
        self._model: Any = None
        self._hotwords = hotwords_for(hints or Hints())
        self._audio: list[FloatArray] = []
        self._samples = 0
        self._closed_at = 0  # where the open segment starts, in samples
        self._decoded: list[Future[list[TimedWord]]] = []
        self._caption: Future[list[TimedWord]] | None = None
        self._caption_from = 0
        self._caption_text = ""
        self._last_caption_at = 0
        self._lock = threading.Lock()
        self.segments_closed = 0

    def _start(self) -> None:
        self._model = self._model_future.result()  # re-raises the loader's KnownError

    def _accept(self, chunk: bytes) -> None:
        samples = from_int16_bytes(chunk)
        self._audio.append(samples)
        self._samples += len(samples)
        for cut in self.speech.cut_points(self._closed_at, MIN_PAUSE_S, MIN_SEGMENT_S):
            self._close_segment(cut)
        if self._samples - self._closed_at > MAX_SEGMENT_S * TARGET_RATE:
            quiet = self.speech.quietest_point(
                self._closed_at + int(MIN_SEGMENT_S * TARGET_RATE), self._samples
            )
            self._close_segment(quiet)
        if self._live:
            self._maybe_caption()

    def _close_segment(self, end: int) -> None:
        start, self._closed_at = self._closed_at, end
        self.segments_closed += 1
        speech = self._speech_within(start, end)
        if speech is not None:
            # Only the speech goes to Whisper: given silence, it writes "Thank you." The
            # end of the speech before goes along, because a short segment on its own
            # ("chunks.") gives Whisper too little to go on; the words decoded from that
            # lead-in belong to the segment before and are dropped.
            first, last = speech
            lead = max(0, first - int(LEAD_IN_S * TARGET_RATE)) if start > 0 else first
            audio = self._slice(lead, last)
            self._decoded.append(_decoder.submit(self._decode, audio, lead, first))

    def _speech_within(self, start: int, end: int) -> tuple[int, int] | None:
        """The span from the first to the last speech between two positions, padded."""
        spans = [s for s in self.speech.segments(self._samples) if s.end > start and s.start < end]
        if not spans:
            return None
        pad = int(SPEECH_PAD_S * TARGET_RATE)
        return max(start, spans[0].start - pad), min(end, spans[-1].end + pad)

    def _slice(self, start: int, end: int) -> FloatArray:
        whole = np.concatenate(self._audio) if len(self._audio) > 1 else self._audio[0]
        self._audio = [whole]
        return whole[start:end].copy()

    def _decode(self, audio: FloatArray, start: int, keep_from: int = 0) -> list[TimedWord]:
        words = decode(self._model, audio, start / TARGET_RATE, self._hotwords)
        boundary = keep_from / TARGET_RATE
        return [w for w in words if (w.start + w.end) / 2 >= boundary]

    def _maybe_caption(self) -> None:
        caption = self._caption
        if caption is not None and caption.done():
            if caption.exception() is None and self._caption_from == self._closed_at:
                self._caption_text = " ".join(w.word for w in caption.result())
            self._caption = None
        due = self._samples - self._last_caption_at >= CAPTION_EVERY_S * TARGET_RATE
        idle = self._caption is None and all(f.done() for f in self._decoded)
        speech = self._speech_within(self._closed_at, self._samples) if due and idle else None
        if speech is not None:
            self._last_caption_at = self._samples
            self._caption_from = self._closed_at
            first = speech[0]
            self._caption = _decoder.submit(self._decode, self._slice(first, self._samples), first)

    def _partial(self) -> str:
        done = [w.word for f in self._decoded if f.done() and not f.exception() for w in f.result()]
        if self._caption_from != self._closed_at:
            self._caption_text = ""  # that caption belonged to a segment now closed
        return " ".join([*done, self._caption_text]).strip()

    def _finish(self) -> list[TimedWord]:
        if self._samples > self._closed_at:
            self._close_segment(self._samples)
        words: list[TimedWord] = []
        for future in self._decoded:
            try:
                words += future.result()
            except KnownError:
                raise
            except Exception as err:  # CTranslate2 raises RuntimeError on bad input
                raise KnownError(f"Whisper could not decode the recording ({err}).") from err
        self._audio = []
        return [w for w in words if self._during_speech(w)]

    def _during_speech(self, word: TimedWord) -> bool:
        # A word Whisper places wholly in silence is one it made up.
        slack = SPEECH_PAD_S * 2
        return any(
            word.end >= s.start / TARGET_RATE - slack and word.start <= s.end / TARGET_RATE + slack
            for s in self.speech.segments(self._samples)
        )
