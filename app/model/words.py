"""Recognised words with their timing: what a recogniser hands back and scoring reads.

It lives here, below both, so speech and scoring need not import each other.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TimedWord:
    """One recognised word with its timing in seconds; ``conf`` is the recogniser's
    confidence in 0..1 when it reports one."""

    word: str
    start: float
    end: float
    conf: float | None = None
