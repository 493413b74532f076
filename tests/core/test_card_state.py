"""A user sets cards aside: suspended ones wait until unsuspended, buried ones until tomorrow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.core import services
from app.core.store import Store
from app.model.deckdata import CardData, DeckData

DAY0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _practice_deck(store: Store, n: int = 5) -> tuple[int, list[int]]:
    deck = DeckData(
        name="Practice",
        cards=[
            CardData(guid=f"c{i}", kind="flashcard", front=f"Q{i}", back=f"A{i}") for i in range(n)
        ],
    )
    with store.session() as s:
        services.import_deck(s, deck)
        deck_id = services.find_deck(s, "Practice").id
        return deck_id, services.due_queue(s, deck_id, DAY0, new_per_day=20)


def test_a_suspended_card_leaves_the_queue_until_it_is_unsuspended(store: Store) -> None:
    deck_id, queue = _practice_deck(store)
    with store.session() as s:
        assert services.set_suspended(s, [queue[0]], True) == 1
    with store.session() as s:
        later = DAY0 + timedelta(days=30)
        assert queue[0] not in services.due_queue(s, deck_id, later, new_per_day=20)
        assert services.queue_counts(s, deck_id, DAY0, new_per_day=20).new == 4
        card = services.get_card(s, queue[0])
        assert card.suspended and card.to_json()["suspended"] is True
        assert services.set_suspended(s, [queue[0]], False) == 1
    with store.session() as s:
        assert queue[0] in services.due_queue(s, deck_id, DAY0, new_per_day=20)


def test_a_reviewed_card_that_is_suspended_is_not_due_and_says_its_state(store: Store) -> None:
    deck_id, queue = _practice_deck(store)
    with store.session() as s:
        services.review_card(s, queue[1], 1, DAY0)  # Again: back in learning
        assert services.get_card(s, queue[1]).to_json()["state"] == "learning"
        services.set_suspended(s, [queue[1]], True)
    with store.session() as s:
        assert queue[1] not in services.due_queue(s, deck_id, DAY0 + timedelta(days=3), 20)
        assert services.next_due(s, deck_id) is None


def test_a_buried_card_comes_back_the_next_day(store: Store) -> None:
    deck_id, queue = _practice_deck(store)
    with store.session() as s:
        back = services.bury(s, [queue[2]], DAY0)
        assert back > DAY0
    with store.session() as s:
        assert queue[2] not in services.due_queue(s, deck_id, DAY0, new_per_day=20)
        assert services.queue_counts(s, deck_id, DAY0, new_per_day=20).new == 4
        assert queue[2] in services.due_queue(s, deck_id, back, new_per_day=20)
        assert services.get_card(s, queue[2]).to_json()["state"] == "new"
