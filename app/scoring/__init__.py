"""Score a spoken (or typed) answer against a card's key points. Pure Python, no Qt.

``score_answer`` is the one entry point: which key points were said and where, how the
answer was delivered, and the rating Parley suggests.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Sequence

from app.model.deckdata import Glossary, KeyPoint
from app.model.errors import KnownError
from app.model.words import TimedWord
from app.scoring.delivery import analyse_delivery
from app.scoring.matchers import Answer, CompiledMatcher
from app.scoring.matching import LexicalMatcher, compile_key_points
from app.scoring.normalize import normalize_text, tokenize
from app.scoring.rating import suggest_rating
from app.scoring.semantic import SemanticMatcher
from app.scoring.types import (
    CREDIT,
    Delivery,
    Evidence,
    KeyPointResult,
    Pause,
    ScoreResult,
)
from app.scoring.verdicts import CompiledPoints, compile_points, judge
from app.scoring.windows import answer_windows, clauses

__all__ = [
    "MAX_ANSWER_WORDS",
    "AnswerTooLongError",
    "Delivery",
    "Evidence",
    "KeyPointResult",
    "Pause",
    "ScoreResult",
    "TimedWord",
    "compile_key_points",
    "normalize_text",
    "prepare",
    "score_answer",
    "suggest_rating",
]

_COMPILED_KEEP = 64
# Matching by meaning grows with the square of the answer's length: 300 words score in
# about a second, 1,000 in a few, 3,000 took minutes. 1,000 words is about seven minutes
# of speech, much longer than an answer to one question.
MAX_ANSWER_WORDS = 1000
MAX_ANSWER_CHARS = 12 * MAX_ANSWER_WORDS


class AnswerTooLongError(KnownError):
    """An answer too long to score in reasonable time."""


_compiled: OrderedDict[str, tuple[CompiledPoints, tuple[str, ...]]] = OrderedDict()
_compiled_lock = threading.Lock()


def prepare(
    key_points: Sequence[KeyPoint],
    glossary: Glossary | None = None,
    *,
    meaning: bool = True,
    context: str = "",
) -> tuple[CompiledPoints, tuple[str, ...]]:
    """A card's key points compiled for every matcher (cached), and notes for the user
    when a matcher cannot run. Call it ahead, off the GUI thread, so that scoring after
    "stop" only matches: the first call loads the sentence-embedding model."""
    glossary = glossary or Glossary()
    key = json.dumps(
        [[kp.label, kp.alternatives, kp.rejected] for kp in key_points]
        + [glossary.to_json(), meaning, context]
    )
    with _compiled_lock:
        if key in _compiled:
            _compiled.move_to_end(key)
            return _compiled[key]
    matchers: list[CompiledMatcher] = [LexicalMatcher().compile(key_points, glossary)]
    notes: tuple[str, ...] = ()
    if meaning:
        try:
            matchers.append(SemanticMatcher().compile(key_points, glossary))
        except KnownError as err:
            # Scoring still works on the deck's phrases; the user is told why it is weaker.
            notes = (f"Only exact phrases were matched: {err}",)
    compiled = (compile_points(key_points, glossary, matchers, context), notes)
    with _compiled_lock:
        _compiled[key] = compiled
        while len(_compiled) > _COMPILED_KEEP:
            _compiled.popitem(last=False)
    return compiled


def score_answer(
    transcript: str,
    key_points: Sequence[KeyPoint],
    words: Sequence[TimedWord] | None = None,
    duration_s: float | None = None,
    glossary: Glossary | None = None,
    *,
    meaning: bool = True,
    context: str = "",
) -> ScoreResult:
    """Score ``transcript`` against ``key_points``. ``words`` are the recogniser's timed
    words when there are any; ``duration_s`` is the recording's length; ``glossary`` is
    the deck's; ``context`` is the card's model answer, which says what option a short
    key point is about. Coverage is the credit of the verdicts (met 1, partly 0.5) over the
    number of key points, 0.0 when there are none. An answer longer than
    ``MAX_ANSWER_WORDS`` raises ``AnswerTooLongError``."""
    if len(transcript) > MAX_ANSWER_CHARS:
        raise AnswerTooLongError(
            f"The answer is {len(transcript):,} characters long; Parley scores answers of at "
            f"most {MAX_ANSWER_CHARS:,} characters ({MAX_ANSWER_WORDS:,} words)."
        )
    tokens = tokenize(transcript)
    if len(tokens) > MAX_ANSWER_WORDS:
        raise AnswerTooLongError(
            f"The answer is {len(tokens):,} words long; Parley scores answers of at most "
            f"{MAX_ANSWER_WORDS:,} words (about seven minutes of speech)."
        )
    points, notes = prepare(key_points, glossary, meaning=meaning, context=context)
    answer = Answer(
        transcript, tokens, answer_windows(transcript, tokens), clauses(transcript, tokens)
    )
    results = judge(points, answer) if tokens else _nothing(key_points)
    coverage = sum(CREDIT[r.verdict] for r in results) / len(results) if results else 0.0
    delivery = analyse_delivery(transcript, words, duration_s, tokens)
    return ScoreResult(
        transcript=transcript,
        coverage=coverage,
        key_points=tuple(results),
        delivery=delivery,
        suggested_rating=suggest_rating(coverage, delivery),
        notes=notes,
    )


def _nothing(key_points: Sequence[KeyPoint]) -> list[KeyPointResult]:
    return [KeyPointResult(kp.label, met=False) for kp in key_points]
