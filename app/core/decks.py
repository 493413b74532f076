"""Decks and cards in the store: listing, reading, and moving ``DeckData`` in and out.

Import is one transaction: the caller's session commits everything or nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.interfaces import ORMOption

from app.core import reviews
from app.core.clock import utcnow
from app.core.deckdata import (
    IMPORT_MODES,
    CardData,
    DeckData,
    Glossary,
    ImportMode,
    KeyPoint,
    PersonaData,
)
from app.core.errors import KnownError, NotFoundError
from app.core.models import (
    Card,
    Deck,
    KeyPointRow,
    Persona,
    ReviewLog,
    Tag,
    db_datetime,
)
from app.core.views import CardView, DeckSummary, ImportSummary


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
) -> list[DeckSummary]:
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
        counts = reviews.queue_counts(
            session, deck.id, now, new_per_day, reviews_per_day=reviews_per_day
        )
        practised = last_practised.get(deck.id)
        out.append(
            DeckSummary(
                id=deck.id,
                name=deck.name,
                description=deck.description,
                flashcards=kind_counts.get((deck.id, "flashcard"), 0),
                roleplays=kind_counts.get((deck.id, "roleplay"), 0),
                new_available=counts.new,
                review_due=counts.review,
                last_practised=practised,
                builtin=deck.builtin_key is not None,
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


def export_deck(session: Session, deck_name: str) -> DeckData:
    deck = find_deck(session, deck_name)
    cards = list_cards(session, deck_name)
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
            )
            for c in cards
        ],
    )


def import_deck(
    session: Session,
    data: DeckData,
    *,
    deck_name: str | None = None,
    mode: ImportMode = "update",
    with_scheduling: bool = False,
    builtin_key: str | None = None,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportSummary:
    """Merge ``data`` into the deck ``deck_name`` (default: the file's own deck name).

    Cards are matched by their stable id within the deck: ``update`` rewrites their
    content but keeps their review history, ``skip`` leaves them alone, ``duplicate``
    adds them again as new cards.
    """
    if mode not in IMPORT_MODES:
        raise KnownError(f"unknown import mode {mode!r} (use one of: {', '.join(IMPORT_MODES)})")
    now = now or utcnow()
    name = (deck_name or data.name or "").strip()
    if not name:
        raise KnownError("the deck has no name; pass --deck NAME")
    deck = session.scalar(select(Deck).where(Deck.name == name))
    if deck is None and builtin_key:
        deck = session.scalar(select(Deck).where(Deck.builtin_key == builtin_key))
    if deck is None:
        deck = Deck(
            name=name,
            description=data.description,
            builtin_key=builtin_key,
            glossary=data.glossary.to_json(),
        )
        session.add(deck)
        session.flush()
    elif data.description and mode == "update":
        deck.description = data.description
    if data.glossary and mode == "update":
        deck.glossary = data.glossary.to_json()

    _merge_personas(deck, data.personas)
    existing: dict[str, Card | None] = {
        c.guid: c
        for c in session.scalars(
            select(Card)
            .where(Card.deck_id == deck.id)
            .options(selectinload(Card.key_points), selectinload(Card.tags))
        )
    }
    next_position = (
        session.scalar(select(func.max(Card.position)).where(Card.deck_id == deck.id)) or 0
    ) + 1
    tag_cache = {t.name: t for t in session.scalars(select(Tag))}
    new_cards = _NewCards(session, now)
    added = updated = unchanged = skipped = 0
    total = len(data.cards)
    for done, item in enumerate(data.cards):
        if progress is not None and done % 250 == 0:
            progress(done, total)
        card = existing.get(item.guid)
        if card is not None and mode == "skip":
            skipped += 1
            continue
        if card is not None and mode == "update":
            if _apply(session, card, item, tag_cache):
                card.updated_at = now
                updated += 1
            else:
                unchanged += 1
            continue
        if item.guid in existing and mode != "duplicate":
            skipped += 1  # the same id twice in one file: the first one wins
            continue
        guid = item.guid if item.guid not in existing else _free_guid(item.guid, existing)
        new_cards.add(deck.id, guid, next_position, item, with_scheduling)
        next_position += 1
        existing[guid] = None
        added += 1
    session.flush()
    new_cards.write()
    if progress is not None:
        progress(total, total)
    return ImportSummary(
        deck=deck.name,
        added=added,
        updated=updated,
        unchanged=unchanged,
        skipped=skipped,
        media=len(data.media_files),
    )


class _NewCards:
    """New cards collected as plain rows and written with a few bulk INSERTs.

    Importing ten thousand notes one ORM object at a time was most of an import's time,
    and even SQLAlchemy's bulk path spent more converting parameters than SQLite spent
    writing; so rows are bound here, as SQLite stores them (``db_datetime``, JSON text),
    and handed to the driver's executemany.
    """

    CARD_COLUMNS = (
        "id", "deck_id", "guid", "kind", "position", "front", "back", "persona_key",
        "question", "model_answer", "media", "created_at", "updated_at", "fsrs_state",
        "due", "last_review", "reps", "lapses",
    )  # fmt: skip

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = db_datetime(now)
        self.when = now
        # Ids are allocated under SQLite's write lock: read before it, another process
        # importing at the same time reads the same max(id) and one of the two imports
        # fails with "UNIQUE constraint failed: card.id".
        _hold_write_lock(session)
        self.next_id = (session.scalar(select(func.max(Card.id))) or 0) + 1
        self.cards: list[tuple[Any, ...]] = []
        self.key_points: list[tuple[int, int, str, str, str]] = []
        self.tags: list[tuple[int, str]] = []

    def add(
        self, deck_id: int, guid: str, position: int, item: CardData, with_scheduling: bool
    ) -> None:
        card_id = self.next_id
        self.next_id += 1
        state: dict[str, Any] = {}
        if with_scheduling and item.schedule is not None:
            state = reviews.adopted_schedule(card_id, item.schedule, self.when)
        fsrs_state = state.get("fsrs_state")
        self.cards.append(
            (
                card_id, deck_id, guid, item.kind, position, item.front, item.back,
                item.persona, item.question, item.model_answer, _json_list(item.media),
                self.now, self.now,
                None if fsrs_state is None else json.dumps(fsrs_state),
                db_datetime(state.get("due")), db_datetime(state.get("last_review")),
                state.get("reps", 0), state.get("lapses", 0),
            )
        )  # fmt: skip
        self.key_points.extend(
            (card_id, i, k.label, _json_list(k.alternatives), _json_list(k.rejected))
            for i, k in enumerate(item.key_points)
        )
        self.tags.extend((card_id, name) for name in sorted(set(item.tags)))

    def write(self) -> None:
        if not self.cards:
            return
        conn = self.session.connection()
        columns = ", ".join(self.CARD_COLUMNS)
        marks = ", ".join("?" for _ in self.CARD_COLUMNS)
        conn.exec_driver_sql(f"INSERT INTO card ({columns}) VALUES ({marks})", self.cards)
        if self.key_points:
            conn.exec_driver_sql(
                "INSERT INTO key_point (card_id, position, label, alternatives, rejected) "
                "VALUES (?, ?, ?, ?, ?)",
                self.key_points,
            )
        if self.tags:
            names = sorted({name for _, name in self.tags})
            conn.exec_driver_sql(
                "INSERT OR IGNORE INTO tag (name) VALUES (?)", [(name,) for name in names]
            )
            known = dict(self.session.execute(select(Tag.name, Tag.id)).all())
            conn.exec_driver_sql(
                "INSERT INTO card_tag (card_id, tag_id) VALUES (?, ?)",
                [(card_id, known[name]) for card_id, name in self.tags],
            )


def _hold_write_lock(session: Session) -> None:
    """Make sure this transaction holds the database's write lock. The driver begins a
    transaction only at the first write, so one that has written already holds it; one
    that has only read takes it now (waiting up to the busy timeout for another writer)."""
    conn = session.connection()
    raw = conn.connection.dbapi_connection
    if not getattr(raw, "in_transaction", True):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _json_list(values: list[str]) -> str:
    return json.dumps(values) if values else "[]"  # most cards have no media


def _free_guid(guid: str, taken: dict[str, Card | None]) -> str:
    n = 2
    while f"{guid}#{n}" in taken:
        n += 1
    return f"{guid}#{n}"


def _merge_personas(deck: Deck, personas: list[PersonaData]) -> None:
    by_key = {p.key: p for p in deck.personas}
    for position, data in enumerate(personas):
        row = by_key.get(data.key)
        if row is None:
            row = Persona(key=data.key)
            deck.personas.append(row)
        row.name, row.role, row.cares_about, row.voice = (
            data.name,
            data.role,
            data.cares_about,
            data.voice,
        )
        row.position = position


def _apply(session: Session, card: Card, item: CardData, tags: dict[str, Tag]) -> bool:
    """Copy ``item``'s content onto ``card``; True when anything changed."""
    wanted_points = _merged_points(item.key_points, card.key_points)
    current_points = [
        (k.label, list(k.alternatives), list(k.rejected or [])) for k in card.key_points
    ]
    wanted_tags = sorted(set(item.tags))
    current_tags = sorted(t.name for t in card.tags)
    fields = {
        "kind": item.kind,
        "front": item.front,
        "back": item.back,
        "persona_key": item.persona,
        "question": item.question,
        "model_answer": item.model_answer,
        "media": list(item.media),
    }
    changed = any(getattr(card, k) != v for k, v in fields.items())
    changed = changed or wanted_points != current_points or wanted_tags != current_tags
    if not changed:
        return False
    for key, value in fields.items():
        setattr(card, key, value)
    if wanted_points != current_points:
        card.key_points = [
            KeyPointRow(position=i, label=label, alternatives=alts, rejected=rejected)
            for i, (label, alts, rejected) in enumerate(wanted_points)
        ]
    if wanted_tags != current_tags:
        card.tags = [_tag(session, name, tags) for name in wanted_tags]
    return True


def _merged_points(
    incoming: list[KeyPoint], current: list[KeyPointRow]
) -> list[tuple[str, list[str], list[str]]]:
    """The file's key points, keeping what the user taught a point of the same label
    (alternatives they added, phrases they rejected): an update of a deck, the built-in
    one included, must not undo the user's corrections."""
    taught = {k.label: (list(k.alternatives), list(k.rejected or [])) for k in current}
    merged = []
    for point in incoming:
        alternatives, rejected = taught.get(point.label, ([], []))
        merged.append(
            (
                point.label,
                list(dict.fromkeys([*point.alternatives, *alternatives])),
                list(dict.fromkeys([*point.rejected, *rejected])),
            )
        )
    return merged


def _tag(session: Session, name: str, cache: dict[str, Tag]) -> Tag:
    tag = cache.get(name)
    if tag is None:
        tag = Tag(name=name)
        session.add(tag)
        cache[name] = tag
    return tag


def delete_deck(session: Session, deck_name: str) -> None:
    session.delete(find_deck(session, deck_name))
