"""Whisper through faster-whisper (CTranslate2): the built-in engine.

Whisper decodes a stretch of audio at a time, not word by word, so a recording is cut
into segments at the speaker's pauses (voice activity, see ``vad``) and each closed
segment is decoded by the decoder process (``whisper_decoder``) while the user goes on
talking. The segment
still open is decoded again about once a second for the live caption, and only when the
decoder is idle, so captions never queue up in front of real work. A speaker who does
not pause would make that open segment, and every caption of it, ever longer; so words
on which two captions in a row agree, and which lie well behind the live edge, are
committed as they are and the open segment starts after them (the "local agreement"
policy of streaming Whisper). On stop only the last few seconds are left to decode.

Whisper was trained to write clean prose and leaves out "um" and restarts; a prompt
written with hesitations makes it keep them, which filler counts need. The card's
vocabulary is given as hotwords so domain terms come out as the deck spells them.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from pathlib import Path

import numpy as np
import numpy.typing as npt

from app.model.errors import KnownError
from app.model.words import TimedWord
from app.speech.audio import TARGET_RATE, from_int16_bytes
from app.speech.recognizer import Hints, Recognizer
from app.speech.whisper_decoder import DecoderProcess, Word, bare
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
# MIN_COMMIT_S at once would only make more, shorter decodes. Both bound how much of
# the answer is still open, and so decoded again, when the user presses stop: with 1.0
# and 2.0 s, bench latency (b) spent 497 ms from stop to transcript, with 0.6 and 1.0 s
# 137 ms, at the same word error rate (0.091 and 0.084 on the 58 s answer).
COMMIT_HOLD_S = 0.6
MIN_COMMIT_S = 1.0
# After the first segment, a pause closes even a short one: the lead-in gives it context.
MIN_LATER_SEGMENT_S = 0.5
LEAD_IN_S = 2.0  # audio before a segment decoded with it, for context
SPEECH_PAD_S = 0.25  # audio kept around detected speech: onsets and endings are soft
# Silence this long after speech (more than the padding kept after it) asks for one
# more caption at once: if the speaker has finished, it holds the whole answer.
FALLEN_SILENT_S = SPEECH_PAD_S + 0.1
MAX_HOTWORDS_CHARS = 300

FloatArray = npt.NDArray[np.float32]


def load(path: Path, encoder_pad_s: float | None = None) -> DecoderProcess:
    """A decoder process with the model in ``path`` loaded. ``encoder_pad_s`` None: the
    short encoder window (``whisper_decoder.ENCODER_PAD_S``); 0 or more: that many
    seconds after the speech; the benches use 30 to compare with Whisper's full window."""
    check_model_dir(path)  # a clear message before a process is started for nothing
    return DecoderProcess(path, encoder_pad_s)


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

    def __init__(
        self, model: Future[DecoderProcess], hints: Hints | None = None, live: bool = True
    ) -> None:
        super().__init__()
        self._live = live  # live captions; off for files, where nobody is watching
        self._model_future = model
        self._decoder: DecoderProcess | None = None
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
        self._decoder = self._model_future.result()  # re-raises the loader's KnownError

    @property
    def decoder(self) -> DecoderProcess | None:
        """The process decoding this recording, once ``start()`` has run."""
        return self._decoder

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
            self._decoded.append(self._decode(audio, lead, first))

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

    def _decode(self, audio: FloatArray, start: int, keep_from: int) -> Future[list[TimedWord]]:
        """Sends a stretch to the decoder process: the words whose middle lies after
        ``keep_from``, timed from the start of the recording."""
        assert self._decoder is not None, "start() comes first"
        sent = self._decoder.submit(
            audio, start / TARGET_RATE, self._hotwords, keep_from / TARGET_RATE
        )
        words: Future[list[TimedWord]] = Future()

        def arrived(done: Future[list[Word]]) -> None:
            error = done.exception()
            if error is not None:
                words.set_exception(error)
            else:
                words.set_result([TimedWord(w.word, w.start, w.end, w.conf) for w in done.result()])

        sent.add_done_callback(arrived)
        return words

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
            self._caption = self._decode(audio, lead, first)

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
        self._commit(words, agreed, upto, MIN_COMMIT_S)

    def _commit(self, words: list[TimedWord], count: int, upto: int, at_least_s: float) -> None:
        """Takes the first ``count`` words of a caption of the open segment as final
        (if they span ``at_least_s``), and starts the open segment after them."""
        agreed = count
        if not agreed:
            return
        last = words[agreed - 1]
        following = words[agreed] if agreed < len(words) else None
        # Cut in the gap after the last agreed word; the next decode starts a lead-in
        # earlier and keeps only the words whose middle lies after the cut.
        cut_s = last.end if following is None else (last.end + max(last.end, following.start)) / 2
        cut = min(upto, int(cut_s * TARGET_RATE))
        if cut - self._closed_at < at_least_s * TARGET_RATE:
            return
        done: Future[list[TimedWord]] = Future()
        done.set_result(words[:agreed])
        self._decoded.append(done)
        self.words_committed += agreed
        self._closed_at = cut
        self._caption_from = cut
        self._last_caption = words[agreed:]
        self._caption_text = " ".join(w.word for w in words[agreed:])

    def _settle_from_caption(self) -> None:
        """On stop, the open segment need not be decoded from its start: the latest
        caption decoded most of it already, with all the context before. Its words up to
        ``COMMIT_HOLD_S`` behind its live edge are taken as final, as two captions in
        agreement would be, and only the rest (after a lead-in) is decoded again. A
        speaker who stops mid-sentence after 15 s without a pause then waits for the
        last few seconds, not for all 15 (bench latency, case b)."""
        speech = self._speech_within(self._closed_at, self._samples)
        if speech is None or self._caption_covers(self._closed_at, speech[1], self._samples):
            return  # nothing to decode, or a caption of all of it is on its way
        caption = self._caption
        if caption is not None:
            # The decoder answers in order: the stop's own request would wait for this
            # caption anyway, so its words are worth having.
            if caption.exception(timeout=60) is not None or self._caption_from != self._closed_at:
                return
            self._caption = None
            self._last_caption = caption.result()
        words = self._last_caption
        if not words or self._caption_from != self._closed_at:
            return
        stable = self._caption_upto / TARGET_RATE - COMMIT_HOLD_S
        count = next((i for i, w in enumerate(words) if w.end > stable), len(words))
        self._commit(words, count, self._caption_upto, 0.0)

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
            self._settle_from_caption()
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
    return bare(a) == bare(b)
