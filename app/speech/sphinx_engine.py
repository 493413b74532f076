"""PocketSphinx: the embedded default, so speech works right after install.

The ``pocketsphinx`` 5.x wheel ships a US English acoustic model, dictionary and
language model, and ``Decoder()`` uses them (with one speed setting, below). It is less accurate
than a Vosk model but needs no download.
"""

from __future__ import annotations

import re
from typing import Any

from app.core.errors import KnownError
from app.scoring import TimedWord
from app.speech.recognizer import Recognizer

ENGINE = "pocketsphinx"
FRAMES_PER_SECOND = 100  # the default -frate: seg() frames are 10 ms
FEED_BYTES = 1600  # 50 ms of 16 kHz int16 per process_raw call
_FILLER = re.compile(r"^(<s>|</s>|<sil>|\[.*\]|\+\+.*\+\+)$")
_ALTERNATE = re.compile(r"\(\d+\)$")  # "read(2)": second pronunciation of "read"


class SphinxRecognizer(Recognizer):
    engine = ENGINE

    def __init__(self) -> None:
        super().__init__()
        self._decoder: Any = None

    def _start(self) -> None:
        try:
            from pocketsphinx import Decoder
        except ImportError as err:
            raise KnownError(
                "PocketSphinx is not installed; reinstall Parley or install a Vosk model."
            ) from err
        try:
            # No flat-lexicon second pass: measured on 48 flite clips in four voices it
            # cut decoding time by about a quarter and did not raise the word error rate
            # (0.248 against 0.265 with it).
            self._decoder = Decoder(fwdflat=False)
        except (RuntimeError, ValueError) as err:
            raise KnownError(f"PocketSphinx could not start: {err}") from err
        self._decoder.start_utt()

    def _accept(self, chunk: bytes) -> None:
        # process_raw holds the GIL while it decodes: a 0.25 s chunk kept the GUI thread
        # waiting ~100 ms (bench/bench_responsiveness.py); 50 ms slices keep each wait short.
        for start in range(0, len(chunk), FEED_BYTES):
            self._decoder.process_raw(chunk[start : start + FEED_BYTES], False, False)

    def _partial(self) -> str:
        hyp = self._decoder.hyp()
        return _clean_text(hyp.hypstr) if hyp is not None else ""

    def _finish(self) -> list[TimedWord]:
        self._decoder.end_utt()
        words = []
        for seg in self._decoder.seg():
            word = _clean_word(seg.word)
            if word:
                words.append(
                    TimedWord(
                        word=word,
                        start=round(seg.start_frame / FRAMES_PER_SECOND, 2),
                        end=round((seg.end_frame + 1) / FRAMES_PER_SECOND, 2),
                        conf=round(min(1.0, max(0.0, float(seg.prob))), 3),
                    )
                )
        self._decoder = None
        return words


def _clean_word(token: str) -> str:
    if _FILLER.match(token):
        return ""
    return _ALTERNATE.sub("", token)


def _clean_text(hypstr: str) -> str:
    return " ".join(w for w in (_clean_word(t) for t in hypstr.split()) if w)
