"""Changing what the user has: edit, add, move, tag, reset and delete cards; rename and
delete decks. Every change that loses something returns an ``Undo`` taken before it.

An ``Undo`` holds the affected rows as the database stores them (cards with their key
points, tags, reviews and attempts; for a deck also the deck and its personas), so
putting them back restores exactly what was there, ids, history and schedule included.
Bad input raises a ``KnownError`` of one line before anything is written.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from app.core.decks import find_deck
from app.core.models import (
    Attempt,
    Base,
    Card,
    Deck,
    KeyPointRow,
    Persona,
    ReviewLog,
    Tag,
)
from app.model.deckdata import CARD_KINDS, KeyPoint, key_points_problem
from app.model.errors import KnownError, NotFoundError
from app.model.settings import Settings

SEPARATOR = "::"  # Anki's nesting: "Parent::Child"
MAX_NAME = 200  # Deck.name and Tag.name columns
MAX_TEXT = 20_000  # characters on one side of a card

# Children after parents; review_log after attempt, which it refers to.
_CARD_TABLES = ("card", "key_point", "card_tag", "attempt", "review_log")


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


# -- undo ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Undo:
    """What a change replaced: rows per table, in insertion order, and what to say."""

    description: str
    card_ids: tuple[int, ...] = ()
    deck_ids: tuple[int, ...] = ()
    rows: tuple[tuple[str, tuple[dict[str, Any], ...]], ...] = field(default=(), repr=False)
    # Personas the change copied into another deck (a move), removed again by undo.
    added_personas: tuple[int, ...] = ()
    # Built-in decks a deletion removed (see ``Settings.removed_builtin_decks``).
    builtin_keys: tuple[str, ...] = ()


def _card_rows(
    session: Session, ids: Sequence[int]
) -> list[tuple[str, tuple[dict[str, Any], ...]]]:
    out = []
    for name in _CARD_TABLES:
        table = _table(name)
        key = table.c.id if name == "card" else table.c.card_id
        rows = session.execute(select(table).where(key.in_(ids))).mappings().all()
        out.append((table.name, tuple(dict(r) for r in rows)))
    return out


def snapshot_cards(session: Session, card_ids: Iterable[int], description: str) -> Undo:
    ids = tuple(dict.fromkeys(card_ids))
    return Undo(description, card_ids=ids, rows=tuple(_card_rows(session, ids)))


def undo(session: Session, change: Undo) -> str:
    """Put back what ``change`` replaced; returns its description."""
    session.flush()
    session.expunge_all()  # the rows below change under any loaded object
    if change.deck_ids:
        for row in dict(change.rows).get("deck", ()):
            taken = session.scalar(
                select(Deck.id).where(Deck.name == row["name"], Deck.id.not_in(change.deck_ids))
            )
            if taken is not None:
                raise KnownError(
                    f"cannot bring back deck {row['name']!r}: another deck has that name now; "
                    "rename it first"
                )
        session.execute(delete(Deck).where(Deck.id.in_(change.deck_ids)))
    if change.added_personas:
        session.execute(delete(Persona).where(Persona.id.in_(change.added_personas)))
    if change.card_ids:
        session.execute(delete(Card).where(Card.id.in_(change.card_ids)))
    for name, rows in change.rows:
        if rows:
            session.execute(insert(_table(name)), [dict(r) for r in rows])
    return change.description


# -- reading input ----------------------------------------------------------------------
@dataclass
class CardFields:
    """What an edit or a new card sets; None leaves a field as it is."""

    front: str | None = None
    back: str | None = None
    persona: str | None = None
    question: str | None = None
    model_answer: str | None = None
    key_points: list[KeyPoint] | None = None
    tags: list[str] | None = None

    @classmethod
    def from_json(cls, raw: object, where: str = "card") -> CardFields:
        """From the JSON ``parley cards --json`` prints (unknown keys are refused)."""
        if not isinstance(raw, dict):
            raise KnownError(f"{where}: expected a JSON object with the card's fields")
        known = {"front", "back", "persona", "question", "model_answer", "key_points", "tags"}
        ignored = {"id", "guid", "kind", "deck", "suspended", "buried", "state"}
        unknown = sorted(set(raw) - known - ignored)
        if unknown:
            raise KnownError(
                f"{where}: unknown field {unknown[0]!r} (use: {', '.join(sorted(known))})"
            )
        out = cls()
        for name in ("front", "back", "persona", "question", "model_answer"):
            value = raw.get(name)
            if value is not None and not isinstance(value, str):
                raise KnownError(f"{where}: {name} must be text")
            setattr(out, name, value)
        if raw.get("tags") is not None:
            tags = raw["tags"]
            if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
                raise KnownError(f"{where}: tags must be a list of text")
            out.tags = list(tags)
        points = raw.get("key_points")
        if points is not None:
            if not isinstance(points, list):
                raise KnownError(f"{where}: key_points must be a list")
            out.key_points = [
                _key_point(p, f"{where}: key point {i + 1}") for i, p in enumerate(points)
            ]
        return out


def _key_point(raw: object, where: str) -> KeyPoint:
    if isinstance(raw, str):
        return KeyPoint(raw)
    if not isinstance(raw, dict) or not isinstance(raw.get("label"), str):
        raise KnownError(f"{where}: needs a label (text)")
    alts = raw.get("alternatives", [])
    rejected = raw.get("rejected", [])
    for name, value in (("alternatives", alts), ("rejected", rejected)):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise KnownError(f"{where}: {name} must be a list of text")
    return KeyPoint(raw["label"], list(alts), list(rejected))


def parse_key_points(text: str) -> list[KeyPoint]:
    """Key points as the browser edits them: one a line, ``label | alt | alt``."""
    points = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if parts and parts[0]:
            points.append(KeyPoint(parts[0], [p for p in parts[1:] if p]))
        elif any(parts):
            raise KnownError(f"key point line {line.strip()!r} has no label before the first |")
    return points


def format_key_points(points: Iterable[KeyPoint]) -> str:
    return "\n".join(" | ".join([p.label, *p.alternatives]) for p in points)


def clean_tags(tags: Iterable[str]) -> list[str]:
    out = []
    for tag in tags:
        name = tag.strip()
        if not name:
            continue
        if any(c.isspace() for c in name):
            raise KnownError(f"tag {name!r}: a tag is one word (no spaces)")
        if len(name) > MAX_NAME:
            raise KnownError(f"tag {name[:40]!r}…: longer than {MAX_NAME} characters")
        out.append(name)
    return sorted(set(out))


def clean_deck_name(name: str) -> str:
    """A deck name as stored: parts trimmed, none empty, at most 200 characters."""
    parts = [p.strip() for p in name.split(SEPARATOR)]
    if not name.strip():
        raise KnownError("a deck needs a name")
    if any(not p for p in parts):
        raise KnownError(f"deck name {name!r}: every part between '::' needs a name")
    cleaned = SEPARATOR.join(parts)
    if len(cleaned) > MAX_NAME:
        raise KnownError(f"deck name {cleaned[:40]!r}…: longer than {MAX_NAME} characters")
    return cleaned


# -- cards ----------------------------------------------------------------------------------
def _cards(session: Session, ids: Sequence[int]) -> list[Card]:
    cards = list(session.scalars(select(Card).where(Card.id.in_(ids))))
    missing = sorted(set(ids) - {c.id for c in cards})
    if missing:
        raise NotFoundError(f"no card with id {missing[0]}")
    return cards


def _check_text(name: str, value: str) -> None:
    if len(value) > MAX_TEXT:
        raise KnownError(f"{name}: longer than {MAX_TEXT} characters")


def _apply_fields(session: Session, card: Card, f: CardFields, now: datetime) -> None:
    for name in ("front", "back", "question", "model_answer"):
        value = getattr(f, name)
        if value is not None:
            _check_text(name.replace("_", " "), value)
            setattr(card, name, value)
    if f.persona is not None:
        card.persona_key = f.persona.strip()
    if card.kind == "flashcard" and not card.front.strip():
        raise KnownError("a flashcard needs a front")
    if card.kind == "roleplay" and not card.question.strip():
        raise KnownError("a role-play needs a question")
    if f.key_points is not None:
        if card.kind != "roleplay":
            raise KnownError("only role-plays have key points")
        if problem := key_points_problem(f.key_points):
            raise KnownError(f"this card {problem}")
        rejected = {k.label: list(k.rejected or []) for k in card.key_points}
        card.key_points = [
            KeyPointRow(
                position=i,
                label=p.label,
                alternatives=list(p.alternatives),
                rejected=list(p.rejected) or rejected.get(p.label, []),
            )
            for i, p in enumerate(f.key_points)
        ]
    if f.tags is not None:
        card.tags = _tags(session, clean_tags(f.tags))
    card.updated_at = now


def _tags(session: Session, names: Iterable[str]) -> list[Tag]:
    wanted = list(names)
    known = {t.name: t for t in session.scalars(select(Tag).where(Tag.name.in_(wanted)))}
    for name in wanted:
        if name not in known:
            known[name] = Tag(name=name)
            session.add(known[name])
    return [known[n] for n in wanted]


def edit_card(session: Session, card_id: int, fields: CardFields, now: datetime) -> Undo:
    change = snapshot_cards(session, [card_id], "edit")
    (card,) = _cards(session, [card_id])
    _apply_fields(session, card, fields, now)
    session.flush()
    return change


def add_card(session: Session, deck_name: str, kind: str, fields: CardFields, now: datetime) -> int:
    """A new card at the end of the deck; returns its id."""
    if kind not in CARD_KINDS:
        raise KnownError(f"unknown card kind {kind!r} (use flashcard or roleplay)")
    deck = find_deck(session, deck_name)
    position = (
        session.scalar(select(func.max(Card.position)).where(Card.deck_id == deck.id)) or 0
    ) + 1
    card = Card(
        front="",
        back="",
        persona_key="",
        question="",
        model_answer="",
        media=[],
        deck_id=deck.id,
        guid=f"parley-{uuid.uuid4().hex[:16]}",
        kind=kind,
        position=position,
        created_at=now,
    )
    session.add(card)
    _apply_fields(session, card, fields, now)
    session.flush()
    return card.id


def delete_cards(session: Session, card_ids: Iterable[int]) -> Undo:
    ids = list(dict.fromkeys(card_ids))
    _cards(session, ids)
    n = len(ids)
    change = snapshot_cards(session, ids, f"delete {n} card{'s' if n != 1 else ''}")
    session.execute(delete(Card).where(Card.id.in_(ids)))
    return change


def reset_cards(session: Session, card_ids: Iterable[int]) -> Undo:
    """Forget the schedule: the cards are new again (their review history stays)."""
    ids = list(dict.fromkeys(card_ids))
    _cards(session, ids)
    n = len(ids)
    change = snapshot_cards(session, ids, f"reset {n} card{'s' if n != 1 else ''}")
    session.execute(
        update(Card)
        .where(Card.id.in_(ids))
        .values(fsrs_state=None, due=None, last_review=None, reps=0, lapses=0, buried_until=None)
    )
    return change


def change_tags(
    session: Session, card_ids: Iterable[int], add: Iterable[str] = (), remove: Iterable[str] = ()
) -> Undo:
    ids = list(dict.fromkeys(card_ids))
    adding, removing = clean_tags(add), set(clean_tags(remove))
    change = snapshot_cards(session, ids, "change tags")
    for card in _cards(session, ids):
        names = sorted(({t.name for t in card.tags} | set(adding)) - removing)
        card.tags = _tags(session, names)
    session.flush()
    return change


def move_cards(session: Session, card_ids: Iterable[int], deck_name: str) -> Undo:
    """Move cards to another deck, with the personas their role-plays need."""
    ids = list(dict.fromkeys(card_ids))
    target = find_deck(session, deck_name)
    cards = _cards(session, ids)
    change = snapshot_cards(session, ids, f"move to {target.name}")
    added: list[Persona] = []
    taken = set(session.scalars(select(Card.guid).where(Card.deck_id == target.id)))
    personas = {p.key for p in target.personas}
    for card in cards:
        if card.deck_id == target.id:
            continue
        source = card.deck
        if card.persona_key and card.persona_key not in personas:
            p = next((p for p in source.personas if p.key == card.persona_key), None)
            if p is not None:
                copy = Persona(
                    key=p.key,
                    name=p.name,
                    role=p.role,
                    cares_about=p.cares_about,
                    voice=p.voice,
                    position=len(target.personas),
                )
                target.personas.append(copy)
                added.append(copy)
                personas.add(p.key)
        guid, n = card.guid, 2
        while guid in taken:
            guid, n = f"{card.guid}#{n}", n + 1
        taken.add(guid)
        card.guid = guid
        card.deck_id = target.id
    session.flush()
    return Undo(
        change.description,
        change.card_ids,
        rows=change.rows,
        added_personas=tuple(p.id for p in added),
    )


# -- decks ----------------------------------------------------------------------------------
def deck_family(session: Session, name: str) -> list[Deck]:
    """The deck and every deck nested under it."""
    return list(
        session.scalars(
            select(Deck).where(
                or_(Deck.name == name, Deck.name.startswith(name + SEPARATOR, autoescape=True))
            )
        )
    )


def rename_deck(session: Session, old: str, new: str) -> str:
    """Rename a deck and the decks nested under it; returns the new name."""
    deck = find_deck(session, old)
    name = clean_deck_name(new)
    if name == deck.name:
        return name
    family = deck_family(session, deck.name)
    ids = {d.id for d in family}
    renamed = {d.id: name + d.name[len(deck.name) :] for d in family}
    clash = session.scalar(
        select(Deck.name).where(Deck.name.in_(renamed.values()), Deck.id.not_in(ids))
    )
    if clash is not None:
        raise KnownError(f"there is already a deck named {clash!r}")
    for d in family:
        d.name = renamed[d.id]
    session.flush()
    return name


@dataclass(frozen=True)
class DeckLoss:
    """What deleting a deck loses, to name it before asking."""

    decks: list[str]
    flashcards: int
    roleplays: int
    reviews: int
    attempts: int

    def describe(self) -> str:
        def n(count: int, word: str) -> str:
            return f"{count} {word}{'s' if count != 1 else ''}"

        extra = f" and {n(len(self.decks) - 1, 'nested deck')}" if len(self.decks) > 1 else ""
        return (
            f"{n(self.flashcards, 'flashcard')}, {n(self.roleplays, 'role-play')}{extra}, "
            f"with {n(self.reviews, 'review')} and {n(self.attempts, 'recorded answer')}"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "decks": self.decks,
            "flashcards": self.flashcards,
            "roleplays": self.roleplays,
            "reviews": self.reviews,
            "attempts": self.attempts,
        }


def deck_loss(session: Session, name: str) -> DeckLoss:
    find_deck(session, name)
    family = deck_family(session, name)
    ids = [d.id for d in family]
    kinds = dict(
        session.execute(
            select(Card.kind, func.count()).where(Card.deck_id.in_(ids)).group_by(Card.kind)
        ).all()
    )
    cards = select(Card.id).where(Card.deck_id.in_(ids))
    reviews = session.scalar(
        select(func.count()).select_from(ReviewLog).where(ReviewLog.card_id.in_(cards))
    )
    attempts = session.scalar(
        select(func.count()).select_from(Attempt).where(Attempt.card_id.in_(cards))
    )
    return DeckLoss(
        sorted(d.name for d in family),
        kinds.get("flashcard", 0),
        kinds.get("roleplay", 0),
        reviews or 0,
        attempts or 0,
    )


def delete_deck(session: Session, name: str) -> Undo:
    """Delete a deck, the decks nested under it and all their cards."""
    find_deck(session, name)
    family = deck_family(session, name)
    ids = tuple(d.id for d in family)
    card_ids = tuple(session.scalars(select(Card.id).where(Card.deck_id.in_(ids))))
    decks = session.execute(select(_table("deck")).where(Deck.id.in_(ids))).mappings().all()
    personas = (
        session.execute(select(_table("persona")).where(Persona.deck_id.in_(ids))).mappings().all()
    )
    rows = (
        ("deck", tuple(dict(r) for r in decks)),
        ("persona", tuple(dict(r) for r in personas)),
        *_card_rows(session, card_ids),
    )
    builtin = tuple(d.builtin_key for d in family if d.builtin_key)
    session.execute(delete(Deck).where(Deck.id.in_(ids)))
    return Undo(f"delete deck {name}", card_ids, ids, rows, builtin_keys=builtin)


def remember_removed(settings: Settings, change: Undo, undone: bool = False) -> bool:
    """Record in ``settings`` that a deletion removed built-in decks (or, ``undone``, that
    they are back), so that seeding leaves them alone; True when ``settings`` changed."""
    keys = set(change.builtin_keys)
    if not keys:
        return False
    kept = [k for k in settings.removed_builtin_decks if k not in keys]
    settings.removed_builtin_decks = kept if undone else sorted({*kept, *keys})
    return True
