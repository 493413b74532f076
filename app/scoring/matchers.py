"""The interface every key-point matcher implements, and what one hands back.

A matcher is compiled once per card (``compile``: the key points, the deck's glossary)
and then matches transcripts (``match``): for each key point a score in 0..1, the
evidence span it found, and its name. ``score_answer`` combines the matchers and reads
the claim of the evidence to give each key point a verdict. A new way of matching is one
class with these two methods.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from app.model.deckdata import Glossary, KeyPoint
from app.scoring.normalize import Token
from app.scoring.windows import Window


@dataclass(frozen=True)
class Answer:
    """A transcript prepared once for every matcher."""

    text: str
    tokens: Sequence[Token]
    windows: Sequence[Window]
    clauses: Sequence[tuple[int, int]]


@dataclass(frozen=True)
class PointMatch:
    """What one matcher found for one key point. ``window`` is the piece of the answer
    the score comes from (None when nothing came close); ``phrase`` is the key point's
    text (label or alternative) that it was closest to."""

    score: float
    window: Window | None = None
    phrase: str = ""
    method: str = ""
    # The score of every piece of ``Answer.windows``, when the matcher scores pieces:
    # which clause of a long piece carries the point.
    per_window: tuple[float, ...] = field(default=())
    # How close the evidence is to the point turned around (``semantic.turned_around``).
    opposite: float = 0.0


class CompiledMatcher(Protocol):
    name: str

    def match(self, answer: Answer) -> list[PointMatch]:
        """One ``PointMatch`` per key point, in the card's order."""
        ...


class Matcher(Protocol):
    name: str

    def compile(self, key_points: Sequence[KeyPoint], glossary: Glossary) -> CompiledMatcher: ...
