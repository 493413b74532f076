"""Score a spoken (or typed) answer against a card's key points. Pure Python, no Qt.

``score_answer`` is the one entry point: which key points were said and where, how the
answer was delivered, and the rating Parley suggests.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.core.deckdata import KeyPoint
from app.scoring.delivery import analyse_delivery
from app.scoring.matching import compile_key_points, match_key_points
from app.scoring.normalize import normalize_text, tokenize
from app.scoring.rating import suggest_rating
from app.scoring.types import (
    Delivery,
    Evidence,
    KeyPointResult,
    Pause,
    ScoreResult,
    TimedWord,
)

__all__ = [
    "Delivery",
    "Evidence",
    "KeyPointResult",
    "Pause",
    "ScoreResult",
    "TimedWord",
    "compile_key_points",
    "normalize_text",
    "score_answer",
    "suggest_rating",
]


def score_answer(
    transcript: str,
    key_points: Sequence[KeyPoint],
    words: Sequence[TimedWord] | None = None,
    duration_s: float | None = None,
) -> ScoreResult:
    """Score ``transcript`` against ``key_points``. ``words`` are the recogniser's timed
    words when there are any; ``duration_s`` is the recording's length. Coverage is the
    share of key points met, 0.0 when there are none."""
    tokens = tokenize(transcript)
    results = match_key_points(
        transcript, [(kp.label, kp.alternatives) for kp in key_points], tokens
    )
    coverage = sum(r.met for r in results) / len(results) if results else 0.0
    delivery = analyse_delivery(transcript, words, duration_s, tokens)
    return ScoreResult(
        transcript=transcript,
        coverage=coverage,
        key_points=tuple(results),
        delivery=delivery,
        suggested_rating=suggest_rating(coverage, delivery),
    )
