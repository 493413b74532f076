"""Importing deck data into the store: new cards, updates by stable id, and schedules."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.core import services
from app.core.models import Card
from app.core.store import Store
from app.model.deckdata import AnkiOrigin, CardData, DeckData, KeyPoint, ScheduleData

NOW = datetime(2026, 5, 4, 9, 30, 15, 123456, tzinfo=UTC)


def deck() -> DeckData:
    return DeckData(
        name="Imported",
        cards=[
            CardData(guid="a", kind="flashcard", front="F", back="B", tags=["x", "y"],
                     media=["a.mp3"]),
            CardData(
                guid="b", kind="roleplay", persona="client", question="Q?",
                model_answer="Say the thing.", tags=["y"],
                key_points=[KeyPoint("Thing", ["the thing", "that thing"])],
            ),
            CardData(guid="c", kind="flashcard", front="Seen", back="Before",
                     schedule=ScheduleData(due_in_days=3, interval_days=10, reps=4, lapses=1)),
        ],
    )  # fmt: skip


def test_new_cards_arrive_with_every_field_tag_and_key_point(store: Store) -> None:
    with store.session() as s:
        summary = services.import_deck(s, deck(), now=NOW)
    assert (summary.added, summary.updated) == (3, 0)
    with store.session() as s:
        cards = {c.guid: c for c in services.list_cards(s, "Imported")}
        stored = s.scalars(select(Card).where(Card.guid == "a")).one()
        created = stored.created_at
    assert cards["a"].tags == ["x", "y"] and cards["a"].media == ["a.mp3"]
    assert cards["b"].key_points == [KeyPoint("Thing", ["the thing", "that thing"])]
    assert cards["b"].persona == "client" and cards["b"].model_answer == "Say the thing."
    assert created == NOW  # timestamps survive the bulk write to the microsecond
    assert cards["c"].is_new  # schedules are only taken when asked for


def test_the_bigger_page_cache_of_a_bulk_import_is_given_back(store: Store) -> None:
    # The connection goes back to the pool: the next user must not hold 32 MB of cache.
    # (Opening the store has imported the built-in deck already, on this connection.)
    with closing(sqlite3.connect(":memory:")) as fresh:
        default = fresh.execute("PRAGMA cache_size").fetchone()[0]
    with store.session() as s:
        services.import_deck(s, deck(), now=NOW)
        after = s.connection().exec_driver_sql("PRAGMA cache_size").scalar()
    assert after == default


def test_a_schedule_from_another_app_is_kept_when_asked(store: Store) -> None:
    with store.session() as s:
        services.import_deck(s, deck(), now=NOW, with_scheduling=True)
    with store.session() as s:
        card = s.scalars(select(Card).where(Card.guid == "c")).one()
        assert card.due == NOW + timedelta(days=3)
        assert (card.reps, card.lapses) == (4, 1)
        assert card.fsrs_state is not None and card.fsrs_state["stability"] == 10.0
        # The adopted card is a real review card: FSRS can schedule it further.
        result = services.review_card(s, card.id, 3, NOW + timedelta(days=3))
        assert result.interval > timedelta(days=3)


def test_new_and_scheduled_cards_of_one_import_each_keep_their_own_columns(store: Store) -> None:
    # New flashcards are written by a statement of their own, role-plays and cards with a
    # schedule by another.
    with store.session() as s:
        services.import_deck(s, deck(), now=NOW, with_scheduling=True)
    with store.session() as s:
        cards = {c.guid: c for c in s.scalars(select(Card))}
        for guid in ("a", "b"):
            new = cards[guid]
            assert (new.fsrs_state, new.due, new.last_review) == (None, None, None)
            assert (new.reps, new.lapses, new.buried_until) == (0, 0, None)
        assert cards["c"].reps == 4 and cards["c"].last_review is not None
        assert {cards[g].created_at for g in "abc"} == {NOW}
        assert {cards[g].updated_at for g in "abc"} == {NOW}
        assert (cards["a"].kind, cards["a"].persona_key, cards["a"].question) == (
            "flashcard",
            "",
            "",
        )
        assert (cards["b"].kind, cards["b"].persona_key, cards["b"].question) == (
            "roleplay",
            "client",
            "Q?",
        )
        assert cards["a"].media == ["a.mp3"] and cards["c"].kind == "flashcard"


def test_reimport_updates_by_stable_id_and_keeps_history(store: Store) -> None:
    with store.session() as s:
        services.import_deck(s, deck(), now=NOW)
        card_id = services.list_cards(s, "Imported")[0].id
        services.review_card(s, card_id, 3, NOW)
    changed = deck()
    changed.cards[0].back = "New back"
    changed.cards[0].tags = ["z"]
    with store.session() as s:
        summary = services.import_deck(s, changed, now=NOW)
        assert (summary.added, summary.updated, summary.unchanged) == (0, 1, 2)
        card = services.get_card(s, card_id)
    assert card.back == "New back" and card.tags == ["z"] and not card.is_new
    with store.session() as s:
        assert services.import_deck(s, changed, mode="skip").skipped == 3
        duplicated = services.import_deck(s, changed, mode="duplicate")
        assert duplicated.added == 3
        guids = sorted(c.guid for c in services.list_cards(s, "Imported"))
    assert guids == ["a", "a#2", "b", "b#2", "c", "c#2"]


def test_an_anki_origin_is_stored_as_the_json_encoder_writes_it(store: Store) -> None:
    fields = [
        'Say "hi"\\there',
        "naïve — ∑ \U0001f600",
        "tab\tnew\nline\x00\x1f",
        "",
        "<b>&amp;</b>",
    ]
    origin = AnkiOrigin(1_700_000_000_123, 2, fields, "0123456789abcdef")
    data = DeckData(name="Origins", cards=[
        CardData(guid="o", kind="flashcard", front="F", back="B", origin=origin)])  # fmt: skip
    with store.session() as s:
        services.import_deck(s, data, now=NOW)
    with store.session() as s:
        raw = s.connection().exec_driver_sql("SELECT origin FROM card WHERE guid = 'o'").scalar()
    assert raw == json.dumps(origin.to_json())
