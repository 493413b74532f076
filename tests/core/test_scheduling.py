"""Studying over simulated days: new-card allowance, due queue, reviews and undo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core import services
from app.core.models import Card, ReviewLog
from app.core.scheduling import format_interval, preview_intervals
from app.core.store import Store
from app.model.deckdata import CardData, DeckData

DAY0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _deck(n: int) -> DeckData:
    return DeckData(
        name="Practice",
        cards=[
            CardData(guid=f"c{i}", kind="flashcard", front=f"Q{i}", back=f"A{i}") for i in range(n)
        ],
    )


def _deck_id(s: Session) -> int:
    return services.find_deck(s, "Practice").id


def test_new_cards_arrive_through_a_daily_allowance(store: Store) -> None:
    with store.session() as s:
        services.import_deck(s, _deck(30))
        deck_id = _deck_id(s)
        assert len(services.due_queue(s, deck_id, DAY0, new_per_day=10)) == 10
        for card_id in services.due_queue(s, deck_id, DAY0, new_per_day=10)[:4]:
            services.review_card(s, card_id, 4, DAY0)
        # Four of today's ten are used up; Easy sent them days away.
        assert services.queue_counts(s, deck_id, DAY0, new_per_day=10).new == 6
        tomorrow = DAY0 + timedelta(days=1)
        assert services.queue_counts(s, deck_id, tomorrow, new_per_day=10).new == 10


def test_reviewing_every_due_card_each_day_for_a_month_keeps_the_queue_honest(store: Store) -> None:
    with store.session() as s:
        services.import_deck(s, _deck(12))
        deck_id = _deck_id(s)
    now = DAY0
    reviews_done = 0
    for day in range(30):
        now = DAY0 + timedelta(days=day)
        with store.session() as s:
            # Study until nothing is due right now, the way a user would.
            for _ in range(200):
                queue = services.due_queue(s, deck_id, now, new_per_day=5)
                if not queue:
                    break
                rating = 1 if (reviews_done % 7 == 0) else 3
                result = services.review_card(s, queue[0], rating, now)
                assert result.due > now
                reviews_done += 1
                now += timedelta(minutes=11)  # learning steps come due within the session
            assert services.due_queue(s, deck_id, now, new_per_day=5) == []
    with store.session() as s:
        logged = s.scalar(select(func.count()).select_from(ReviewLog))
        reviewed_cards = s.scalar(
            select(func.count()).select_from(Card).where(Card.last_review.is_not(None))
        )
        intervals = [
            c.due - c.last_review for c in s.scalars(select(Card)) if c.due and c.last_review
        ]
    assert logged == reviews_done
    assert reviewed_cards == 12  # 5 new a day: all introduced by day 3
    # A month of mostly "Good" grows intervals well past a day.
    assert max(intervals) > timedelta(days=7)


def test_undo_puts_the_card_back_exactly_as_it_was(store: Store) -> None:
    with store.session() as s:
        services.import_deck(s, _deck(3))
        deck_id = _deck_id(s)
        card_id = services.due_queue(s, deck_id, DAY0, new_per_day=20)[0]
        first = services.review_card(s, card_id, 3, DAY0)
        card = s.get(Card, card_id)
        assert card is not None
        before = (dict(card.fsrs_state or {}), card.due, card.last_review, card.reps)
        second = services.review_card(s, card_id, 1, DAY0 + timedelta(minutes=15))
        assert services.undo_review(s, second.log_id) == card_id
        s.refresh(card)
        assert (card.fsrs_state, card.due, card.last_review, card.reps) == before
        services.undo_review(s, first.log_id)
        s.refresh(card)
        assert card.last_review is None and card.fsrs_state is None
        assert s.scalar(select(func.count()).select_from(ReviewLog)) == 0


def test_rating_buttons_show_the_interval_the_rating_will_give(store: Store) -> None:
    with store.session() as s:
        services.import_deck(s, _deck(1))
        card_id = services.due_queue(s, _deck_id(s), DAY0, new_per_day=20)[0]
        preview = preview_intervals(card_id, None, DAY0)
        result = services.review_card(s, card_id, 4, DAY0)
    assert result.interval == preview[4]
    assert preview[1] < preview[2] <= preview[3] < preview[4]
    assert format_interval(timedelta(minutes=10)) == "10m"
    assert format_interval(timedelta(days=4)) == "4d"
    assert format_interval(timedelta(seconds=5)) == "<1m"


def test_the_daily_review_cap_holds_back_extra_due_cards(store: Store) -> None:
    with store.session() as s:
        services.import_deck(s, _deck(10))
        deck_id = _deck_id(s)
        for card_id in services.due_queue(s, deck_id, DAY0, new_per_day=10):
            services.review_card(s, card_id, 3, DAY0)
        later = DAY0 + timedelta(days=30)  # everything is due again
        assert len(services.due_queue(s, deck_id, later, 0)) == 10
        capped = services.due_queue(s, deck_id, later, 0, reviews_per_day=4)
        assert len(capped) == 4
        for card_id in capped[:3]:
            services.review_card(s, card_id, 3, later)
        counts = services.queue_counts(s, deck_id, later, 0, reviews_per_day=4)
        # One Good on a new card leaves it in its learning steps: still capped.
        assert (counts.learning, counts.review) == (1, 0)


def _mixed_deck() -> DeckData:
    flash = [
        CardData(guid=f"f{i}", kind="flashcard", front=f"Q{i}", back=f"A{i}") for i in range(6)
    ]
    plays = [
        CardData(guid=f"r{i}", kind="roleplay", persona="cto", question=f"Why {i}?")
        for i in range(4)
    ]
    return DeckData(name="Practice", cards=flash + plays)


def test_counts_split_new_learning_and_due_and_each_kind_has_its_own_limits(
    store: Store,
) -> None:
    with store.session() as s:
        services.import_deck(s, _mixed_deck())
        deck_id = _deck_id(s)
        flash = services.due_queue(s, deck_id, DAY0, 6, kind="flashcard")
        services.review_card(s, flash[0], 1, DAY0)  # Again: back in a minute, learning
        services.review_card(s, flash[1], 4, DAY0 - timedelta(days=30))  # Easy, long ago
        services.review_card(s, flash[2], 4, DAY0 - timedelta(days=30))
        later = DAY0 + timedelta(minutes=5)
        counts = services.queue_counts(s, deck_id, later, 6, kind="flashcard")
        assert (counts.new, counts.learning, counts.review) == (3, 1, 2)
        assert counts.total == len(services.due_queue(s, deck_id, later, 6, kind="flashcard"))

        # Three new flashcards today do not use up the role-plays' own allowance of two.
        decks = services.list_decks(
            s, later, 6, None, roleplays=services.DailyLimits(new=2, reviews=10)
        )
        deck = next(d for d in decks if d.name == "Practice")
        assert deck.flashcard_queue == counts
        assert (deck.roleplay_queue.new, deck.roleplay_queue.total) == (2, 2)
        assert deck.new_available == 3 + 2 and deck.review_due == 1 + 2
        assert deck.to_json()["queues"]["flashcard"] == {"new": 3, "learning": 1, "review": 2}
