"""Decks and cards in the store: listing, reading, and moving ``DeckData`` in and out.

Import is one transaction: the caller's session commits everything or nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.interfaces import ORMOption

from app.core import deck_tree, review_history, reviews
from app.core.clock import utcnow
from app.core.deck_import import import_deck as import_deck
from app.core.models import (
    AnkiNotetype,
    Card,
    Deck,
    Persona,
    ReviewLog,
)
from app.core.views import CardView, DeckSummary, QueueCounts
from app.model.deckdata import (
    AnkiOrigin,
    CardData,
    DeckData,
    Glossary,
    KeyPoint,
    NoteTypeData,
    PersonaData,
    ScheduleData,
)
from app.model.errors import NotFoundError
from app.model.settings import DailyLimits


def find_deck(session: Session, name: str) -> Deck:
    deck = session.scalar(select(Deck).where(Deck.name == name))
    if deck is None:
        known = ", ".join(session.scalars(select(Deck.name).order_by(Deck.name))) or "none"
        raise NotFoundError(f"no deck named {name!r} (decks: {known})")
    return deck


def list_decks(
    session: Session,
    now: datetime,
    new_per_day: int = 20,
    reviews_per_day: int | None = None,
    *,
    roleplays: DailyLimits | None = None,
) -> list[DeckSummary]:
    """Every deck with what is ready now. ``new_per_day`` and ``reviews_per_day`` are the
    flashcards' daily limits; ``roleplays`` the role-plays' (the same when not given)."""
    flash_limits = DailyLimits(new_per_day, reviews_per_day)
    play_limits = roleplays or flash_limits
    kind_counts: dict[tuple[int, str], int] = {
        (deck_id, kind): n
        for deck_id, kind, n in session.execute(
            select(Card.deck_id, Card.kind, func.count()).group_by(Card.deck_id, Card.kind)
        )
    }
    last_practised = dict(
        session.execute(
            select(Card.deck_id, func.max(ReviewLog.reviewed_at))
            .join(Card, Card.id == ReviewLog.card_id)
            .group_by(Card.deck_id)
        ).all()
    )
    out = []
    for deck in session.scalars(select(Deck).order_by(Deck.builtin_key.is_(None), Deck.name)):
        flash, plays = (
            reviews.queue_counts(
                session, deck.id, now, limits.new, kind=kind, reviews_per_day=limits.reviews
            )
            if kind_counts.get((deck.id, kind))
            else QueueCounts()
            for kind, limits in (("flashcard", flash_limits), ("roleplay", play_limits))
        )
        practised = last_practised.get(deck.id)
        out.append(
            DeckSummary(
                id=deck.id,
                name=deck.name,
                description=deck.description,
                flashcards=kind_counts.get((deck.id, "flashcard"), 0),
                roleplays=kind_counts.get((deck.id, "roleplay"), 0),
                new_available=flash.new + plays.new,
                review_due=flash.learning + flash.review + plays.learning + plays.review,
                last_practised=practised,
                builtin=deck.builtin_key is not None,
                flashcard_queue=flash,
                roleplay_queue=plays,
            )
        )
    return out


def card_view(card: Card, personas: dict[str, Persona] | None = None) -> CardView:
    persona = (personas or {}).get(card.persona_key)
    return CardView(
        id=card.id,
        guid=card.guid,
        kind=card.kind,
        deck=card.deck.name,
        front=card.front,
        back=card.back,
        persona=card.persona_key,
        question=card.question,
        model_answer=card.model_answer,
        key_points=[
            KeyPoint(k.label, list(k.alternatives), list(k.rejected or [])) for k in card.key_points
        ],
        tags=[t.name for t in card.tags],
        media=list(card.media),
        persona_info=_persona_data(persona) if persona else None,
        glossary=Glossary.from_json(card.deck.glossary),
        due=card.due,
        is_new=card.last_review is None,
        fsrs_state=dict(card.fsrs_state) if card.fsrs_state else None,
        suspended=card.suspended,
        buried=card.buried_until is not None and card.buried_until > utcnow(),
        images=list(card.images or []),
        back_images=list(card.back_images or []),
        origin=dict(card.origin) if card.origin else None,
        reps=card.reps,
        lapses=card.lapses,
        last_review=card.last_review,
    )


def _persona_data(p: Persona) -> PersonaData:
    return PersonaData(p.key, p.name, p.role, p.cares_about, p.voice)


def _personas_by_key(deck: Deck) -> dict[str, Persona]:
    return {p.key: p for p in deck.personas}


def _load_options() -> tuple[ORMOption, ...]:
    return (
        selectinload(Card.key_points),
        selectinload(Card.tags),
        selectinload(Card.deck).selectinload(Deck.personas),
    )


def get_card(session: Session, card_id: int) -> CardView:
    card = session.scalar(select(Card).where(Card.id == card_id).options(*_load_options()))
    if card is None:
        raise NotFoundError(f"no card with id {card_id}")
    return card_view(card, _personas_by_key(card.deck))


def get_cards(session: Session, card_ids: Iterable[int]) -> list[CardView]:
    ids = list(card_ids)
    cards = {
        c.id: c
        for c in session.scalars(select(Card).where(Card.id.in_(ids)).options(*_load_options()))
    }
    return [card_view(cards[i], _personas_by_key(cards[i].deck)) for i in ids if i in cards]


def list_cards(session: Session, deck_name: str, kind: str | None = None) -> list[CardView]:
    deck = find_deck(session, deck_name)
    query = select(Card).where(Card.deck_id == deck.id).options(*_load_options())
    if kind:
        query = query.where(Card.kind == kind)
    personas = _personas_by_key(deck)
    return [card_view(c, personas) for c in session.scalars(query.order_by(Card.position, Card.id))]


def export_deck(session: Session, deck_name: str, *, with_scheduling: bool = False) -> DeckData:
    """The deck ``deck_name`` and every deck below it, each card naming its deck by full
    path. With ``with_scheduling`` the cards carry their state, due day, interval
    and every past review."""
    deck = find_deck(session, deck_name)
    now = utcnow()
    cards: list[CardView] = []
    for each in deck_tree.decks_within(session, deck.name):
        cards.extend(list_cards(session, each.name))
    notetypes = {c.origin["notetype_id"] for c in cards if c.origin and "notetype_id" in c.origin}
    history = review_history.reviews_of(session, [c.id for c in cards]) if with_scheduling else {}
    return DeckData(
        name=deck.name,
        description=deck.description,
        glossary=Glossary.from_json(deck.glossary),
        personas=[_persona_data(p) for p in deck.personas],
        cards=[
            CardData(
                guid=c.guid,
                kind="roleplay" if c.kind == "roleplay" else "flashcard",
                front=c.front,
                back=c.back,
                persona=c.persona,
                question=c.question,
                model_answer=c.model_answer,
                key_points=[
                    KeyPoint(k.label, list(k.alternatives), list(k.rejected)) for k in c.key_points
                ],
                tags=list(c.tags),
                media=list(c.media),
                deck="" if c.deck == deck.name else c.deck,
                images=list(c.images),
                back_images=list(c.back_images),
                suspended=c.suspended,
                buried=c.buried and with_scheduling,
                origin=_origin(c.origin),
                schedule=_schedule(c, now) if with_scheduling else None,
                history=history.get(c.id, []),
            )
            for c in cards
        ],
        notetypes={
            row.id: NoteTypeData.from_json(row.id, row.definition)
            for row in session.scalars(select(AnkiNotetype).where(AnkiNotetype.id.in_(notetypes)))
        },
    )


def _origin(raw: dict[str, Any] | None) -> AnkiOrigin | None:
    if not raw:
        return None
    try:
        return AnkiOrigin(
            int(raw["notetype_id"]),
            int(raw["ord"]),
            [str(f) for f in raw["fields"]],
            str(raw["shown"]),
        )
    except (KeyError, TypeError, ValueError):
        return None  # not ours to repair: the card goes out as Parley would write it


def _schedule(card: CardView, now: datetime) -> ScheduleData | None:
    """What another app needs of a reviewed card's schedule; None for a new card."""
    if card.is_new or card.due is None:
        return None
    day = 86400.0
    last = card.last_review or card.due
    return ScheduleData(
        due_in_days=round((card.due - now).total_seconds() / day),
        interval_days=max(1, round((card.due - last).total_seconds() / day)),
        reps=card.reps,
        lapses=card.lapses,
        state=card.state if card.state != "new" else "review",
    )


def delete_deck(session: Session, deck_name: str) -> None:
    session.delete(find_deck(session, deck_name))
