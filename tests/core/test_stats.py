"""Statistics from a scripted practice history: a month of reviews and role-play attempts
on a fake clock, and the figures a learner would read off the charts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core import services, stats
from app.core.models import Card, Deck, KeyPointRow
from app.core.store import Store
from app.model.errors import NotFoundError
from app.model.paths import recordings_dir

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)  # a Wednesday
DECK = "Stats demo"


def day(offset: int, hour: int = 9) -> datetime:
    return (NOW + timedelta(days=offset)).replace(hour=hour)


def build_deck(store: Store) -> tuple[list[int], list[int]]:
    """Six flashcards and two role-plays; returns their ids."""
    with store.session() as s:
        deck = Deck(name=DECK)
        s.add(deck)
        s.flush()
        flash = [
            Card(
                deck_id=deck.id,
                guid=f"f{i}",
                kind="flashcard",
                front=f"Q{i}",
                back=f"A{i}",
                position=i,
            )
            for i in range(6)
        ]
        plays = [
            Card(
                deck_id=deck.id,
                guid="r0",
                kind="roleplay",
                persona_key="cfo",
                question="Why not fine-tune?",
                position=10,
            ),
            Card(
                deck_id=deck.id,
                guid="r1",
                kind="roleplay",
                persona_key="ciso",
                question="Is our data safe?",
                position=11,
            ),
        ]
        s.add_all(flash + plays)
        s.flush()
        for pos, label in enumerate(("latency", "cost", "freshness")):
            s.add(KeyPointRow(card_id=plays[0].id, position=pos, label=label))
        for pos, label in enumerate(("privacy", "evaluation")):
            s.add(KeyPointRow(card_id=plays[1].id, position=pos, label=label))
        return [c.id for c in flash], [c.id for c in plays]


def review(store: Store, card_id: int, rating: int, when: datetime) -> None:
    with store.session() as s:
        services.review_card(s, card_id, rating, when)


def attempt(
    store: Store,
    card_id: int,
    when: datetime,
    points: dict[str, bool],
    *,
    wpm: float | None,
    fillers: dict[str, int] | None = None,
    fpm: float | None = None,
    duration_s: float | None = None,
    audio: str | None = None,
) -> int:
    delivery = {
        "duration_s": duration_s,
        "wpm": wpm,
        "fillers": fillers or {},
        "long_pauses": 0,
        "hedges": 0,
    }
    if fpm is not None:
        delivery["fillers_per_minute"] = fpm
    result = {
        "key_points": [
            {"label": k, "met": v, "evidence": k if v else None} for k, v in points.items()
        ],
        "delivery": delivery,
    }
    data = services.AttemptData(
        transcript=f"answer mentioning {' and '.join(k for k, v in points.items() if v)}",
        coverage=sum(points.values()) / len(points),
        result=result,
        engine="vosk" if wpm is not None else "typed",
        duration_s=duration_s,
        audio_path=audio,
        created_at=when,
    )
    with store.session() as s:
        return services.record_attempt(s, card_id, data)


# The store, the flashcards' ids and the role-plays' ids.
History = tuple[Store, list[int], list[int]]


@pytest.fixture
def history(data_dir: Path) -> Iterator[History]:
    """Four study days over three weeks, four role-play attempts, fixed due dates."""
    store = Store.open(data_dir, seed=False)
    flash, plays = build_deck(store)
    for card_id in flash[:4]:  # day -20: four new cards, all Good
        review(store, card_id, 3, day(-20))
    for card_id, rating in zip(flash[:4], (3, 1, 4, 2), strict=True):  # day -13
        review(store, card_id, rating, day(-13))
    review(store, flash[0], 3, day(-6))
    review(store, flash[1], 3, day(-6))
    review(store, flash[4], 3, day(-6, 10))  # a fifth card, new
    review(store, flash[0], 1, day(0, 10))  # today
    review(store, flash[2], 3, day(0, 10))
    # Fix the schedule so the forecast is known: one overdue, one later today, two
    # tomorrow, one beyond the 30 days; flash[5] was never seen.
    dues = {
        flash[0]: NOW - timedelta(days=2),
        flash[1]: NOW + timedelta(hours=1),
        flash[2]: NOW + timedelta(days=1),
        flash[3]: NOW + timedelta(days=1, hours=3),
        flash[4]: NOW + timedelta(days=40),
    }
    with store.session() as s:
        for card_id, due in dues.items():
            card = s.get(Card, card_id)
            assert card is not None
            card.due = due

    recordings_dir(data_dir).mkdir(parents=True)
    (recordings_dir(data_dir) / "r0-b.wav").write_bytes(b"RIFF....WAVE")
    attempt(
        store,
        plays[0],
        day(-10),
        {"latency": True, "cost": False, "freshness": False},
        wpm=180,
        fillers={"um": 6},
        fpm=6.0,
        duration_s=60,
    )
    attempt(
        store,
        plays[0],
        day(-5),
        {"latency": True, "cost": True, "freshness": False},
        wpm=150,
        fillers={"um": 1, "like": 1},
        duration_s=30,
        audio="r0-b.wav",
    )
    attempt(store, plays[1], day(-3), {"privacy": True, "evaluation": False}, wpm=None)
    attempt(
        store,
        plays[0],
        day(-1),
        {"latency": True, "cost": True, "freshness": True},
        wpm=140,
        duration_s=45,
        audio=str(data_dir / "gone.wav"),
    )
    yield store, flash, plays
    store.close()


def figures(store: Store, days: int = 30) -> stats.DeckStats:
    with store.session() as s:
        return stats.deck_stats(s, DECK, NOW, days=days, tz=UTC)


def test_reviews_per_day_count_new_and_seen_cards_on_the_day_they_were_rated(
    history: History,
) -> None:
    store, _flash, _plays = history
    st = figures(store)
    assert len(st.reviews_per_day) == 30
    assert st.reviews_per_day[0].day == date(2026, 2, 17)
    assert st.reviews_per_day[-1].day == date(2026, 3, 18)
    busy = {d.day: (d.new, d.review) for d in st.reviews_per_day if d.count}
    assert busy == {
        date(2026, 2, 26): (4, 0),
        date(2026, 3, 5): (0, 4),
        date(2026, 3, 12): (1, 2),
        date(2026, 3, 18): (0, 2),
    }
    assert st.totals.reviews == 13 and st.totals.reviews_today == 2
    # A one-week window only sees this week's and last week's study days.
    week = figures(store, days=7)
    assert [d.count for d in week.reviews_per_day] == [3, 0, 0, 0, 0, 0, 2]


def test_the_forecast_counts_seen_cards_by_due_day_with_overdue_ones_today(
    history: History,
) -> None:
    store, _flash, _plays = history
    st = figures(store)
    assert len(st.due_forecast) == 30
    assert st.due_forecast[0].day == date(2026, 3, 18)
    assert [d.due for d in st.due_forecast[:3]] == [2, 2, 0]
    assert sum(d.due for d in st.due_forecast) == 4  # the fifth is due in 40 days
    assert st.overdue == 1


def test_retention_is_the_share_of_good_or_easy_on_cards_already_seen(history: History) -> None:
    store, _flash, _plays = history
    st = figures(store)
    # 8 reviews of seen cards: Good, Again, Easy, Hard; Good, Good; Again, Good.
    assert (st.retention_overall.reviews, st.retention_overall.passed) == (8, 5)
    assert st.retention_overall.rate == pytest.approx(0.625)
    weekly = {w.week: (w.reviews, w.passed) for w in st.retention_weekly}
    assert weekly == {
        date(2026, 2, 16): (0, 0),
        date(2026, 2, 23): (0, 0),  # first reviews of new cards do not count
        date(2026, 3, 2): (4, 2),
        date(2026, 3, 9): (2, 2),
        date(2026, 3, 16): (2, 1),
    }
    assert st.retention_weekly[0].rate is None


def test_role_play_figures_follow_each_prompt_and_each_spoken_answer(history: History) -> None:
    store, _flash, plays = history
    st = figures(store)
    assert [c.card_id for c in st.coverage] == [plays[0], plays[1]]
    assert [round(p.coverage, 3) for p in st.coverage[0].points] == [0.333, 0.667, 1.0]
    assert [p.number for p in st.coverage[0].points] == [1, 2, 3]
    assert st.coverage[0].title == "cfo: Why not fine-tune?"
    assert [(m.label, m.missed, m.assessed) for m in st.missed_key_points] == [
        ("freshness", 2, 3),
        ("cost", 1, 3),
        ("evaluation", 1, 1),
    ]
    # The typed answer has no pace; fillers per minute come from the scorer when it gave
    # them, else from the filler count and the duration.
    assert [(d.wpm, d.fillers_per_minute) for d in st.delivery] == [
        (180.0, 6.0),
        (150.0, 4.0),
        (140.0, 0.0),
    ]
    assert st.totals.attempts == 4
    assert st.totals.recent_coverage == pytest.approx(0.625)
    assert st.totals.recent_wpm == pytest.approx(470 / 3)


def test_the_json_has_every_figure_and_survives_a_round_trip(history: History) -> None:
    store, _flash, _plays = history
    out = json.loads(json.dumps(figures(store).to_json()))
    assert out["deck"] == DECK
    assert set(out) == {
        "deck",
        "generated_at",
        "days",
        "totals",
        "reviews_per_day",
        "due_forecast",
        "overdue",
        "retention",
        "coverage",
        "missed_key_points",
        "delivery",
    }
    assert out["reviews_per_day"][-1] == {"date": "2026-03-18", "count": 2, "new": 0, "review": 2}
    assert out["retention"]["overall"] == {"reviews": 8, "passed": 5, "rate": 0.625}
    assert out["delivery"]["wpm_comfort"] == [120.0, 160.0]
    assert out["missed_key_points"][0] == {"label": "freshness", "missed": 2, "assessed": 3}


def test_a_card_history_lists_each_attempt_with_scores_and_playable_recordings(
    history: History, data_dir: Path
) -> None:
    store, _flash, plays = history
    with store.session() as s:
        h = stats.card_history(s, plays[0], data_dir)
    assert h.key_points == ("latency", "cost", "freshness")
    assert [a.missed for a in h.attempts] == [("cost", "freshness"), ("freshness",), ()]
    assert [a.met for a in h.attempts][1] == ("latency", "cost")
    # Only a recording that still exists can be replayed.
    assert [a.audio_path for a in h.attempts] == [
        None,
        recordings_dir(data_dir) / "r0-b.wav",
        None,
    ]
    assert h.attempts[0].transcript == "answer mentioning latency"


def test_an_untouched_deck_has_empty_but_complete_figures(data_dir: Path) -> None:
    store = Store.open(data_dir, seed=False)
    build_deck(store)
    st = figures(store)
    store.close()
    assert sum(d.count for d in st.reviews_per_day) == 0
    assert st.retention_overall.rate is None
    assert st.coverage == () and st.delivery == () and st.missed_key_points == ()
    assert "no attempts yet" in "\n".join(stats.summary_lines(st))


def test_unknown_deck_and_card_are_named(data_dir: Path) -> None:
    store = Store.open(data_dir, seed=False)
    with store.session() as s, pytest.raises(NotFoundError, match="no deck named 'Nope'"):
        stats.deck_stats(s, "Nope", NOW)
    with store.session() as s, pytest.raises(NotFoundError, match="no card"):
        stats.card_history(s, 12345)
    with store.session() as s:
        assert s.scalars(select(Deck)).all() == []
    store.close()


def test_days_are_the_learners_local_days_even_at_a_quarter_hour_offset(data_dir: Path) -> None:
    """Kathmandu is UTC+5:45: a review at 23:59 local counts for that day, one at 00:01
    for the next."""
    from datetime import timezone

    nepal = timezone(timedelta(hours=5, minutes=45))
    store = Store.open(data_dir, seed=False)
    flash, _plays = build_deck(store)
    before = datetime(2026, 3, 16, 23, 59, tzinfo=nepal).astimezone(UTC)
    after = datetime(2026, 3, 17, 0, 1, tzinfo=nepal).astimezone(UTC)
    review(store, flash[0], 3, before)
    review(store, flash[1], 3, after)
    with store.session() as s:
        st = stats.deck_stats(s, DECK, after + timedelta(hours=12), days=3, tz=nepal)
    store.close()
    assert [(d.day, d.count) for d in st.reviews_per_day] == [
        (date(2026, 3, 15), 0),
        (date(2026, 3, 16), 1),
        (date(2026, 3, 17), 1),
    ]
