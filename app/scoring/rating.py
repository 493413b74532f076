"""The rating Parley suggests after an answer (the user can always pick another).

Ratings follow the scheduler's buttons: 1 Again, 2 Hard, 3 Good, 4 Easy.
"""

from __future__ import annotations

from app.scoring.types import Delivery

AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4

COMFORTABLE_WPM = (110.0, 170.0)
# Outside this band the pace itself gets in the way of being understood.
PROBLEM_WPM = (90.0, 190.0)
GOOD_FILLERS_PER_MIN = 3.0
PROBLEM_FILLERS_PER_MIN = 6.0
PROBLEM_LONG_PAUSES = 3


def suggest_rating(coverage: float, delivery: Delivery) -> int:
    """Suggested rating from what was said and how.

    - coverage < 0.4 -> 1 (Again): most of the answer is missing;
    - coverage < 0.7 -> 2 (Hard);
    - otherwise 3 (Good), raised to 4 (Easy) when coverage >= 0.9 and delivery is good:
      pace within 110-170 wpm, at most 3 fillers a minute, no pause over 2 s;
    - with coverage >= 0.7, a delivery problem knocks the rating down one level, never
      below 2: pace under 90 or over 190 wpm, more than 6 fillers a minute, or 3 or more
      long pauses.

    What cannot be measured (pace and fillers per minute of a typed answer with no
    duration) counts as neither good nor a problem.
    """
    if coverage < 0.4:
        return AGAIN
    if coverage < 0.7:
        return HARD
    if delivery_problem(delivery):
        return HARD
    if coverage >= 0.9 and delivery_good(delivery):
        return EASY
    return GOOD


def delivery_good(d: Delivery) -> bool:
    low, high = COMFORTABLE_WPM
    return (
        (d.wpm is None or low <= d.wpm <= high)
        and (d.fillers_per_minute is None or d.fillers_per_minute <= GOOD_FILLERS_PER_MIN)
        and not d.long_pauses
    )


def delivery_problem(d: Delivery) -> bool:
    low, high = PROBLEM_WPM
    return (
        (d.wpm is not None and not low <= d.wpm <= high)
        or (d.fillers_per_minute is not None and d.fillers_per_minute > PROBLEM_FILLERS_PER_MIN)
        or len(d.long_pauses) >= PROBLEM_LONG_PAUSES
    )
