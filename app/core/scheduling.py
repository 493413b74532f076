"""Spaced repetition with FSRS-6 (the ``fsrs`` package, default parameters).

Cards start "new" (never reviewed) and enter the queue through a daily new-card
allowance; after the first rating FSRS owns their state and due time. Fuzzing is off so
the interval shown on a rating button is exactly the interval that rating gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler

from app.core.clock import start_of_day as start_of_day

RATINGS = (1, 2, 3, 4)
RATING_NAMES = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}


@lru_cache(maxsize=1)
def scheduler() -> Scheduler:
    return Scheduler(enable_fuzzing=False)


@dataclass(frozen=True)
class Outcome:
    state: dict[str, Any]
    due: datetime


def _fsrs_card(card_id: int, state: dict[str, Any] | None, now: datetime) -> FsrsCard:
    if state is None:
        return FsrsCard(card_id=card_id, due=now)
    return FsrsCard.from_dict(state)  # type: ignore[arg-type]


def review(card_id: int, state: dict[str, Any] | None, rating: int, now: datetime) -> Outcome:
    """The card's next FSRS state after ``rating`` at ``now``."""
    if rating not in RATINGS:
        raise ValueError(f"rating must be 1-4, not {rating!r}")
    card = _fsrs_card(card_id, state, now)
    new_card, _log = scheduler().review_card(card, Rating(rating), review_datetime=now)
    due = new_card.due if new_card.due.tzinfo else new_card.due.replace(tzinfo=UTC)
    return Outcome(state=dict(new_card.to_dict()), due=due)


def preview_intervals(
    card_id: int, state: dict[str, Any] | None, now: datetime
) -> dict[int, timedelta]:
    """What each rating would do, for the rating buttons ("Good · 10m")."""
    return {r: review(card_id, state, r, now).due - now for r in RATINGS}


def format_interval(delta: timedelta) -> str:
    """Anki-style short interval: <1m, 10m, 3h, 4d, 2.5mo, 1.2y."""
    seconds = max(0.0, delta.total_seconds())
    if seconds < 60:
        return "<1m"
    minutes = seconds / 60
    if minutes < 60:
        return f"{round(minutes)}m"
    hours = minutes / 60
    if hours < 24:
        return f"{round(hours)}h"
    days = hours / 24
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo".replace(".0mo", "mo")
    return f"{days / 365:.1f}y".replace(".0y", "y")
