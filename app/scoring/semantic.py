"""Matching by meaning: sentence embeddings of key points against pieces of the answer.

People make a point in their own words ("it goes back on the pile" for "automatic
retries"), which no list of phrases anticipates. Each key point's label and alternatives
are embedded once (all-MiniLM-L6-v2, ``embedding``), each piece of the answer
(``windows``) once per answer, and a point's score is the highest cosine similarity of
any of its texts to any piece. Phrases the user rejected for a point veto the pieces
that are closer to them than to the point.

Similarity says what a piece is about, not what it claims about it: "retrieval retrains
the model" is as close to "only fine-tuning changes the model" as a correct answer is.
``score_answer`` reads the claim of the piece (``claims``) before it gives credit, and
the matcher reports how close the piece is to the point turned around (``opposites``).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from app.model.deckdata import Glossary, KeyPoint
from app.scoring.delivery import filler_positions
from app.scoring.embedding import SentenceEncoder, load_encoder
from app.scoring.lexicon import NON_ANSWERS, STOPWORDS, filler_sound
from app.scoring.matchers import Answer, PointMatch
from app.scoring.normalize import tokenize
from app.scoring.opposites import turned_around, turned_twice

FloatArray = npt.NDArray[np.float32]

# A piece with fewer content words than this ("before the model answers") is about a
# topic, not a claim, and a short key point about the same topic scores high against it.
MIN_CONTENT = 3

_lock = threading.Lock()


def _content_words(text: str) -> int:
    return sum(
        1 for t in tokenize(text) if t.text not in STOPWORDS and filler_sound(t.text) is None
    )


_encoder: SentenceEncoder | None = None


def shared_encoder() -> SentenceEncoder:
    """The one loaded encoder (about 100 MB): loaded on first use, from any thread."""
    global _encoder
    with _lock:
        if _encoder is None:
            _encoder = load_encoder()
        return _encoder


def encoder_loaded() -> bool:
    return _encoder is not None


@dataclass(frozen=True)
class _Point:
    phrases: tuple[str, ...]
    vectors: FloatArray  # one row per phrase
    rejected: FloatArray  # one row per rejected phrase (may be empty)
    turned: FloatArray  # one row per phrase turned around (``opposites``; may be empty)
    twice: FloatArray  # turned around twice, which agrees with the point (may be empty)


class CompiledSemantic:
    name = "meaning"

    def __init__(
        self,
        encoder: SentenceEncoder,
        key_points: Sequence[KeyPoint],
        options: Sequence[Sequence[str]] = (),
    ) -> None:
        self._encoder = encoder
        self._non_answers = encoder.encode(list(NON_ANSWERS))
        self._points = []
        for kp in key_points:
            phrases = tuple(kp.texts())
            self._points.append(
                _Point(
                    phrases,
                    encoder.encode(list(phrases)),
                    encoder.encode(list(kp.rejected)),
                    encoder.encode([t for p in phrases for t in turned_around(p, options)]),
                    encoder.encode([t for p in phrases for t in turned_twice(p, options)]),
                )
            )

    def match(self, answer: Answer) -> list[PointMatch]:
        windows = list(answer.windows)
        if not windows:
            return [PointMatch(0.0, method=self.name) for _ in self._points]
        pieces = self._encoder.encode(spoken_texts(answer))
        thin = np.array([_content_words(w.text) < MIN_CONTENT for w in windows])
        sims_of = [point.vectors @ pieces.T for point in self._points]  # phrases x pieces
        scores = np.array([np.where(thin, 0.0, sims.max(axis=0)) for sims in sims_of])
        # Talk around the point ("it depends on a lot of things") is vetoed like a phrase
        # the user rejected: a piece closer to it than to a point is not that point.
        vague = (self._non_answers @ pieces.T).max(axis=0)

        for i, point in enumerate(self._points):
            veto = vague
            if len(point.rejected):
                veto = np.maximum(veto, (point.rejected @ pieces.T).max(axis=0))
            scores[i] = np.where(veto >= scores[i], 0.0, scores[i])
        out = []
        for i, point in enumerate(self._points):
            per_piece = scores[i]
            best = int(per_piece.argmax())
            phrase = point.phrases[int(sims_of[i][:, best].argmax())]
            opposite = _closest(point.turned, pieces[best])
            if _closest(point.twice, pieces[best]) >= opposite:
                opposite = 0.0  # both turns taken: the piece agrees with the point
            out.append(
                PointMatch(
                    max(0.0, float(per_piece[best])),
                    windows[best],
                    phrase,
                    self.name,
                    tuple(float(x) for x in per_piece),
                    opposite,
                )
            )
        return out


def spoken_texts(answer: Answer) -> list[str]:
    """Each window's text without its fillers ("um", "uh", "like,", "you know"): they
    say nothing, and in a short piece they pull its meaning away from the point ("so,
    um, when there's, like, a big rush, uh, the queue, you know, soaks it up" scored
    0.52 against "queue absorbs traffic spikes", the same words said plainly 0.61). The
    window's span, and so the evidence shown, stays as said."""
    fillers = filler_positions(answer.text, answer.tokens)
    out = []
    for w in answer.windows:
        runs: list[str] = []
        start = None
        for i in range(w.first, w.last + 2):
            kept = i <= w.last and i not in fillers
            if kept and start is None:
                start = i
            elif not kept and start is not None:
                runs.append(answer.text[answer.tokens[start].start : answer.tokens[i - 1].end])
                start = None
        out.append(" ".join(runs) or w.text)
    return out


def _closest(phrases: FloatArray, piece: FloatArray) -> float:
    return float((phrases @ piece).max()) if len(phrases) else 0.0


class SemanticMatcher:
    name = "meaning"

    def compile(self, key_points: Sequence[KeyPoint], glossary: Glossary) -> CompiledSemantic:
        return CompiledSemantic(shared_encoder(), key_points, glossary.options)
