"""Whisper through faster-whisper (CTranslate2): the built-in engine.

Whisper decodes a stretch of audio at a time, not word by word, so a recording is cut
into segments at the speaker's pauses (voice activity, see ``vad``) and each closed
segment is decoded on the decoder thread while the user goes on talking. The segment
still open is decoded again about once a second for the live caption, and only when the
decoder is idle, so captions never queue up in front of real work. A speaker who does
not pause would make that open segment, and every caption of it, ever longer; so words
on which two captions in a row agree, and which lie well behind the live edge, are
committed as they are and the open segment starts after them (the "local agreement"
policy of streaming Whisper). On stop only the last few seconds are left to decode.

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
# Words a caption places this close to the end of its audio may still change with what
# follows; behind it, two captions that agree are taken as final. Committing less than
# MIN_COMMIT_S at once would only make more, shorter decodes.
COMMIT_HOLD_S = 1.0
MIN_COMMIT_S = 2.0
# After the first segment, a pause closes even a short one: the lead-in gives it context.
MIN_LATER_SEGMENT_S = 0.5
LEAD_IN_S = 2.0  # audio before a segment decoded with it, for context
SPEECH_PAD_S = 0.25  # audio kept around detected speech: onsets and endings are soft
# Silence this long after speech (more than the padding kept after it) asks for one
# more caption at once: if the speaker has finished, it holds the whole answer.
FALLEN_SILENT_S = SPEECH_PAD_S + 0.1
# Written the way people talk, so Whisper keeps hesitations instead of tidying them.
FILLER_PROMPT = "Umm, so, uh, let me think. I mean, it's, like, you know, hmm, well..."
MAX_HOTWORDS_CHARS = 300
# A word Whisper aligns to no audio at all (one 20 ms frame or less), or gives a
# probability this low, at the end of a segment is one it made up (see decode()).
MADE_UP_DURATION_S = 0.02
MADE_UP_PROBABILITY = 0.05
# Whisper's encoder always looks at 30 s; a segment is padded to that with silence. Cut
# to the speech plus this much silence, encoding takes a fraction of the time. Too little
# and Whisper makes words up at the end: on the 104-clip set (14 voices, 6 conditions)
# 3 s raised the word error rate from 0.24 to 0.28, while 6 s matched 10 s (0.238 and
# 0.246) and saved a fifth of the time. bench/bench_recognition.py compares it with the
# full window.
ENCODER_PAD_S = 6.0  # the prompt shares Whisper's 448-token context with the answer

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
        # Greedy only. faster-whisper's retries at higher temperatures are meant for
        # repetitive output, which here is the made-up ending that decode() cuts off
        # anyway; on the 52-clip set they changed no word and cost a third more time.
        temperature=0.0,
        # Speech rarely exceeds 4 words (about 6 tokens) a second: a bound that stops a
        # hallucination loop long before Whisper's own 448.
        max_new_tokens=min(440, int(len(audio) / TARGET_RATE * 8) + 16),
    )
    words: list[TimedWord] = []
    for segment in segments:
        for w in segment.words or ():
            text = w.word.strip()
            if not _bare(text):
                continue  # punctuation on its own: Whisper's filler for silence
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
    return _without_made_up_ending(words)


def _without_made_up_ending(words: list[TimedWord]) -> list[TimedWord]:
    """Drops what Whisper writes after the speech has run out. Given a prompt and
    hotwords, it tends to carry on past the end of a segment ("... themselves. RAG,
    RAG, RAG"), and its own alignment gives that away: such words get no time of their
    own (pinned to the end of the audio) or a probability near zero."""
    end = len(words)
    while end and (
        words[end - 1].end - words[end - 1].start < MADE_UP_DURATION_S
        or (words[end - 1].conf or 0.0) < MADE_UP_PROBABILITY
    ):
        end -= 1
    return words[:end]


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
        self._caption_upto = 0
        self._caption_text = ""
        self._last_caption: list[TimedWord] | None = None  # of the open segment
        self._last_caption_at = 0
        self._lock = threading.Lock()
        self.segments_closed = 0
        self.words_committed = 0

    def _start(self) -> None:
        self._model = self._model_future.result()  # re-raises the loader's KnownError

    def _accept(self, chunk: bytes) -> None:
        samples = from_int16_bytes(chunk)
        self._audio.append(samples)
        self._samples += len(samples)
        shortest = MIN_SEGMENT_S if self._closed_at == 0 else MIN_LATER_SEGMENT_S
        for cut in self.speech.cut_points(self._closed_at, MIN_PAUSE_S, shortest):
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
        self._last_caption = None
        speech = self._speech_within(start, end)
        if speech is not None:
            # Only the speech goes to Whisper: given silence, it writes "Thank you." The
            # end of the speech before goes along, because a short segment on its own
            # ("chunks.") gives Whisper too little to go on; the words decoded from that
            # lead-in belong to the segment before and are dropped.
            first, last = speech
            if self._caption_covers(start, last, end):
                # The caption asked for when the speaker fell silent already decodes all
                # of this segment, the same way: it becomes the segment's result, and the
                # answer is settled by the time the user reaches for stop.
                assert self._caption is not None
                self._decoded.append(self._caption)
                self._caption = None
                return
            lead = max(0, first - int(LEAD_IN_S * TARGET_RATE)) if start > 0 else first
            audio = self._slice(lead, last)
            self._decoded.append(_decoder.submit(self._decode, audio, lead, first))

    def _caption_covers(self, start: int, last: int, end: int) -> bool:
        return (
            self._caption is not None
            and self._caption_from == start
            and self._caption_upto >= last
            and self._speech_within(end, self._caption_upto) is None
        )

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
            self._caption = None
            if caption.exception() is None and self._caption_from == self._closed_at:
                words = caption.result()
                self._caption_text = " ".join(w.word for w in words)
                self._commit_agreed(words, self._caption_upto)
        due = self._samples - self._last_caption_at >= CAPTION_EVERY_S * TARGET_RATE
        if not due and self.speech.silence_after_speech() >= FALLEN_SILENT_S:
            spans = self.speech.segments(self._samples)
            due = bool(spans) and self._caption_upto < spans[-1].end  # not yet captioned
        idle = self._caption is None and all(f.done() for f in self._decoded)
        speech = self._speech_within(self._closed_at, self._samples) if due and idle else None
        if speech is not None:
            self._last_caption_at = self._samples
            self._caption_from = self._closed_at
            self._caption_upto = self._samples
            first = speech[0]
            lead = max(0, first - int(LEAD_IN_S * TARGET_RATE)) if self._closed_at > 0 else first
            audio = self._slice(lead, self._samples)
            self._caption = _decoder.submit(self._decode, audio, lead, first)

    def _commit_agreed(self, words: list[TimedWord], upto: int) -> None:
        """Takes the words this caption and the one before agree on, up to a little
        behind the live edge, as final, and starts the open segment after them."""
        before, self._last_caption = self._last_caption, words
        if before is None:
            return
        agreed = 0
        for old, new in zip(before, words, strict=False):
            if _same_word(old.word, new.word) and new.end <= upto / TARGET_RATE - COMMIT_HOLD_S:
                agreed += 1
            else:
                break
        if not agreed:
            return
        last = words[agreed - 1]
        following = words[agreed] if agreed < len(words) else None
        # Cut in the gap after the last agreed word; the next decode starts a lead-in
        # earlier and keeps only the words whose middle lies after the cut.
        cut_s = last.end if following is None else (last.end + max(last.end, following.start)) / 2
        cut = min(upto, int(cut_s * TARGET_RATE))
        if cut - self._closed_at < MIN_COMMIT_S * TARGET_RATE:
            return
        done: Future[list[TimedWord]] = Future()
        done.set_result(words[:agreed])
        self._decoded.append(done)
        self.words_committed += agreed
        self._closed_at = cut
        self._caption_from = cut
        self._last_caption = words[agreed:]
        self._caption_text = " ".join(w.word for w in words[agreed:])

    def _settled(self) -> str:
        words: list[str] = []
        for future in self._decoded:
            if not future.done() or future.exception() is not None:
                break  # only an unbroken start of the answer is settled
            words += [w.word for w in future.result()]
        return " ".join(words)

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


def _same_word(a: str, b: str) -> bool:
    """Two captions' versions of one word, ignoring case and punctuation."""
    return _bare(a) == _bare(b)


def _bare(word: str) -> str:
    return "".join(c for c in word.lower() if c.isalnum())
