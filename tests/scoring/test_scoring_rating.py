"""The suggested rating follows what was covered first and how it was said second."""

from __future__ import annotations

import pytest

from app.scoring.rating import AGAIN, EASY, GOOD, HARD, suggest_rating
from app.scoring.types import Delivery, Pause

SMOOTH = Delivery(duration_s=60.0, wpm=140.0, fillers={"um": 1}, fillers_per_minute=1.0)
TYPED = Delivery(duration_s=None, wpm=None)
RUSHED = Delivery(duration_s=30.0, wpm=210.0, fillers_per_minute=0.0)
UMMING = Delivery(duration_s=60.0, wpm=140.0, fillers={"um": 9}, fillers_per_minute=9.0)
HALTING = Delivery(
    duration_s=60.0,
    wpm=120.0,
    fillers_per_minute=0.0,
    long_pauses=(Pause(5, 2.5), Pause(20, 3.0), Pause(40, 2.2)),
)
A_BIT_SLOW = Delivery(duration_s=60.0, wpm=100.0, fillers_per_minute=0.0)


@pytest.mark.parametrize(
    ("coverage", "rating"), [(0.0, AGAIN), (0.39, AGAIN), (0.4, HARD), (0.69, HARD)]
)
def test_missing_key_points_decide_the_rating(coverage: float, rating: int) -> None:
    assert suggest_rating(coverage, SMOOTH) == rating


def test_full_coverage_and_smooth_delivery_is_easy() -> None:
    assert suggest_rating(0.9, SMOOTH) == EASY
    assert suggest_rating(1.0, SMOOTH) == EASY


def test_good_coverage_that_is_not_nearly_complete_is_good() -> None:
    assert suggest_rating(0.75, SMOOTH) == GOOD


def test_a_delivery_that_is_merely_not_ideal_stops_short_of_easy() -> None:
    assert suggest_rating(1.0, A_BIT_SLOW) == GOOD


@pytest.mark.parametrize("delivery", [RUSHED, UMMING, HALTING], ids=["rushed", "umming", "halting"])
def test_delivery_problems_knock_a_good_answer_down_one_level_but_not_below_hard(
    delivery: Delivery,
) -> None:
    assert suggest_rating(1.0, delivery) == HARD
    assert suggest_rating(0.75, delivery) == HARD
    assert suggest_rating(0.5, delivery) == HARD
    assert suggest_rating(0.2, delivery) == AGAIN


def test_a_typed_answer_is_rated_on_coverage() -> None:
    assert suggest_rating(1.0, TYPED) == EASY
    assert suggest_rating(0.8, TYPED) == GOOD
