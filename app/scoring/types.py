"""The values scoring takes in and hands back.

They are plain frozen dataclasses so the speech layer, the store and the UI can pass them
around (and across threads) without depending on how scoring works inside.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Verdict = Literal["met", "partly", "missed", "contradicted"]
VERDICTS: tuple[Verdict, ...] = ("met", "partly", "missed", "contradicted")
# What each verdict adds to coverage: a point made in part is worth half of one made.
CREDIT: dict[str, float] = {"met": 1.0, "partly": 0.5, "missed": 0.0, "contradicted": 0.0}


@dataclass(frozen=True)
class Evidence:
    """Where a key point was said: ``transcript[start:end] == text``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class KeyPointResult:
    label: str
    met: bool  # verdict == "met"; kept because callers and the JSON contract use it
    # The key point's text (label or alternative, as the deck wrote it) the evidence was
    # closest to; None when nothing came close.
    alternative: str | None = None
    # Where the point was made (met, partly) or turned around (contradicted).
    evidence: Evidence | None = None
    verdict: Verdict = "missed"
    score: float = 0.0  # the evidence's strength, 0..1
    method: str = ""  # which matcher found it: "phrase" or "meaning"
    # False when the verdict sits near a threshold: hands-free mode then waits for the user.
    confident: bool = True
    reason: str | None = None  # why it counts as contradicted
    # For a miss: the piece of the answer that came nearest, which the user may say
    # did make the point.
    closest: Evidence | None = None


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
    # Something the user should know about how this was scored (a matcher missing).
    notes: tuple[str, ...] = ()

    @property
    def confident(self) -> bool:
        return all(kp.confident for kp in self.key_points)

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
                    "verdict": kp.verdict,
                    "score": round(kp.score, 3),
                    "method": kp.method,
                    "confident": kp.confident,
                    "reason": kp.reason,
                    "closest": kp.closest.text if kp.closest else None,
                    "closest_span": [kp.closest.start, kp.closest.end] if kp.closest else None,
                }
                for kp in self.key_points
            ],
            "confident": self.confident,
            "notes": list(self.notes),
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
