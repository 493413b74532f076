"""The values scoring takes in and hands back.

They are plain frozen dataclasses so the speech layer, the store and the UI can pass them
around (and across threads) without depending on how scoring works inside.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TimedWord:
    """One recognised word with its timing in seconds; ``conf`` is the recogniser's
    confidence in 0..1 when it reports one."""

    word: str
    start: float
    end: float
    conf: float | None = None


@dataclass(frozen=True)
class Evidence:
    """Where a key point was said: ``transcript[start:end] == text``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class KeyPointResult:
    label: str
    met: bool
    # The alternative, as the deck wrote it, that was found; None when not met.
    alternative: str | None = None
    evidence: Evidence | None = None


@dataclass(frozen=True)
class Pause:
    """Silence between two timed words: it begins at ``start`` and lasts ``duration`` s."""

    start: float
    duration: float


@dataclass(frozen=True)
class Delivery:
    """How the answer was said. ``duration_s``, ``wpm`` and ``fillers_per_minute`` are None
    when there is no timing to base them on (a typed answer)."""

    duration_s: float | None
    wpm: float | None
    fillers: dict[str, int] = field(default_factory=dict)
    fillers_per_minute: float | None = None
    long_pauses: tuple[Pause, ...] = ()
    hedges: dict[str, int] = field(default_factory=dict)

    @property
    def filler_count(self) -> int:
        return sum(self.fillers.values())

    @property
    def hedge_count(self) -> int:
        return sum(self.hedges.values())


@dataclass(frozen=True)
class ScoreResult:
    transcript: str
    coverage: float
    key_points: tuple[KeyPointResult, ...]
    delivery: Delivery
    suggested_rating: int

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict. ``long_pauses`` and ``hedges`` are counts; the detail is in
        ``pauses`` and ``hedge_words``."""
        d = self.delivery
        return {
            "coverage": round(self.coverage, 4),
            "key_points": [
                {
                    "label": kp.label,
                    "met": kp.met,
                    "evidence": kp.evidence.text if kp.evidence else None,
                    "evidence_span": (
                        [kp.evidence.start, kp.evidence.end] if kp.evidence else None
                    ),
                    "alternative": kp.alternative,
                }
                for kp in self.key_points
            ],
            "delivery": {
                "duration_s": _round(d.duration_s, 2),
                "wpm": _round(d.wpm, 1),
                "fillers": dict(d.fillers),
                "fillers_per_minute": _round(d.fillers_per_minute, 2),
                "long_pauses": len(d.long_pauses),
                "pauses": [
                    {"start": round(p.start, 2), "duration": round(p.duration, 2)}
                    for p in d.long_pauses
                ],
                "hedges": d.hedge_count,
                "hedge_words": dict(d.hedges),
            },
            "suggested_rating": self.suggested_rating,
        }


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)
