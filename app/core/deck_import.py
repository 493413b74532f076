"""Merging a ``DeckData`` into the store: one transaction, every deck of its tree.

Cards are matched by their stable id (guid) anywhere in the tree being imported, so a
card that moved to another subdeck in Anki moves here too instead of being duplicated.
Re-importing a big package that did not change must be quick: the cards already there
are compared as plain rows, and only the ones that differ are loaded as objects.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from json.encoder import encode_basestring_ascii
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session, selectinload

from app.core import deck_tree, review_history, reviews, scheduling
from app.core.clock import utcnow
from app.core.models import (
    AnkiNotetype,
    Card,
    Deck,
    KeyPointRow,
    Persona,
    Tag,
    card_tag,
    db_datetime,
)
from app.core.views import ImportSummary, RemarkCount
from app.model.deckdata import (
    IMPORT_MODES,
    AnkiOrigin,
    CardData,
    DeckData,
    ImportMode,
    KeyPoint,
    PersonaData,
)
from app.model.errors import KnownError

Progress = Callable[[int, int], None]
PointValues = tuple[str, list[str], list[str]]  # label, alternatives, rejected


def import_deck(
    session: Session,
    data: DeckData,
    *,
    deck_name: str | None = None,
    mode: ImportMode = "update",
    with_scheduling: bool = False,
    builtin_key: str | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
    file_digest: str | None = None,
) -> ImportSummary:
    """Merge ``data`` into the deck ``deck_name`` (default: the file's own deck name)
    and the decks below it that the cards name. ``file_digest`` (the file's sha256) is
    remembered on the deck, so that importing the same bytes again can be skipped.

    Cards are matched by their stable id within the tree: ``update`` rewrites their
    content but keeps their review history, ``skip`` leaves them alone, ``duplicate``
    adds them again as new cards.
    """
    if mode not in IMPORT_MODES:
        raise KnownError(f"unknown import mode {mode!r} (use one of: {', '.join(IMPORT_MODES)})")
    now = now or utcnow()
    name = deck_tree.normalised(deck_name or data.name or "")
    if not name:
        raise KnownError("the deck has no name; pass --deck NAME")
    file_deck = deck_tree.normalised(data.name or "")
    root = _root_deck(session, data, name, builtin_key, mode)
    paths = {
        path: deck_tree.normalised(deck_tree.rehome(path, file_deck, name)) or name
        for path in {card.deck for card in data.cards}
    }
    decks = _decks_for(session, root, list(paths.values()))
    _merge_personas(root, data.personas)
    _keep_notetypes(session, data)

    tree = [
        d.id for top in deck_tree.tops(list(decks)) for d in deck_tree.decks_within(session, top)
    ]
    existing = _existing(session, tree)
    next_position = (
        session.scalar(select(func.max(Card.position)).where(Card.deck_id.in_(tree))) or 0
    ) + 1
    new_cards = _NewCards(session, now)
    changed: list[tuple[int, CardData, int]] = []
    # (card id, whether this import adds the card, its past reviews), kept with scheduling
    histories: list[tuple[int, bool, CardData]] = []
    added = unchanged = skipped = suspended = 0
    total = len(data.cards)
    # By the card's deck path; a deck's id read once, not through the ORM for each card.
    deck_ids = {path: decks[name].id for path, name in paths.items()}
    for done, item in enumerate(data.cards):
        if progress is not None and done % 1000 == 0:
            progress(done, total)
        deck_id = deck_ids[item.deck]
        suspended += item.suspended
        row = existing.get(item.guid)
        if row is not None and mode == "skip":
            skipped += 1
            continue
        if row is not None and mode == "update":
            if row.matches(item, deck_id):
                unchanged += 1
            else:
                changed.append((row.id, item, deck_id))
            if with_scheduling and item.history:
                histories.append((row.id, False, item))
            existing[item.guid] = None  # the same id twice in one file: the first one wins
            continue
        if item.guid in existing and mode != "duplicate":
            skipped += 1
            continue
        guid = item.guid if item.guid not in existing else _free_guid(item.guid, existing)
        card_id = new_cards.add(deck_id, guid, next_position, item, with_scheduling)
        if with_scheduling and item.history:
            histories.append((card_id, True, item))
        next_position += 1
        existing[guid] = None
        added += 1
    _update(session, changed, now)
    session.flush()
    new_cards.write()
    reviews_kept = review_history.add(session, histories)
    if progress is not None:
        progress(total, total)
    # Only a file whose decks all sit in one tree can be recognised by that tree alone.
    one_tree = deck_tree.tops([root.name, *decks]) == [root.name]
    root.import_digest = None
    if file_digest and mode == "update" and one_tree:
        session.flush()
        root.import_digest = file_digest[:32] + tree_digest(session, root.name)[:32]
    return ImportSummary(
        deck=root.name,
        added=added,
        updated=len(changed),
        unchanged=unchanged,
        skipped=skipped,
        media=len(data.media_files),
        decks=sorted(decks),
        suspended=suspended,
        images=sum(1 for card in data.cards if card.images or card.back_images),
        reviews=reviews_kept,
        remarks=[RemarkCount(r.kind, r.reason, len(r.where), r.where[:10]) for r in data.remarks],
    )


def tree_digest(session: Session, name: str) -> str:
    """A fingerprint of the cards in the tree ``name`` as stored: how many, in which
    decks, their text lengths, tags and suspension, and the last edit. An edit sets
    ``updated_at``; moving, tagging, suspending or deleting changes the sums."""
    decks = select(Deck.id).where(deck_tree.within(name))
    cards = select(Card.id).where(Card.deck_id.in_(decks))
    text = (
        func.length(Card.front) + func.length(Card.back) + func.length(Card.question)
        + func.length(Card.model_answer) + func.length(Card.media) + func.length(Card.images)
        + func.length(Card.back_images)
    )  # fmt: skip
    row = session.execute(
        select(
            func.count(),
            func.total(Card.deck_id * Card.id),
            func.max(Card.updated_at),
            func.total(text),
            func.total(Card.suspended),
        ).where(Card.deck_id.in_(decks))
    ).one()
    tags = session.scalar(
        select(func.count(), func.total(card_tag.c.tag_id)).where(card_tag.c.card_id.in_(cards))
    )
    names = list(
        session.scalars(select(Deck.name).where(deck_tree.within(name)).order_by(Deck.name))
    )
    raw = json.dumps([list(row), tags, names], default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def already_imported(
    session: Session, file_digest: str, deck_name: str | None
) -> ImportSummary | None:
    """The summary of importing (in update mode) a file whose bytes were the last import
    of a tree that has not changed since, without reading it; None when it must be read."""
    query = select(Deck).where(Deck.import_digest.startswith(file_digest[:32]))
    if deck_name:
        query = query.where(Deck.name == deck_tree.normalised(deck_name))
    for deck in session.scalars(query):
        if deck.import_digest == file_digest[:32] + tree_digest(session, deck.name)[:32]:
            names = [d.name for d in deck_tree.decks_within(session, deck.name)]
            count = session.scalar(
                select(func.count())
                .select_from(Card)
                .where(Card.deck_id.in_(select(Deck.id).where(deck_tree.within(deck.name))))
            )
            return ImportSummary(deck=deck.name, unchanged=count or 0, decks=names, same_file=True)
    return None


def _root_deck(
    session: Session, data: DeckData, name: str, builtin_key: str | None, mode: ImportMode
) -> Deck:
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
    return deck


def _decks_for(session: Session, root: Deck, names: list[str]) -> dict[str, Deck]:
    """The decks the cards go to by full name, made (with their parents) when missing."""
    wanted = list(dict.fromkeys([root.name, *names]))
    every = list(dict.fromkeys(a for n in wanted for a in [*deck_tree.ancestors(n), n]))
    found = {d.name: d for d in session.scalars(select(Deck).where(Deck.name.in_(every)))}
    found[root.name] = root
    for name in every:
        if name not in found:
            found[name] = Deck(name=name)
            session.add(found[name])
    session.flush()
    return {name: found[name] for name in wanted}


def _keep_notetypes(session: Session, data: DeckData) -> None:
    for notetype in data.notetypes.values():
        row = session.get(AnkiNotetype, notetype.id)
        if row is None:
            session.add(
                AnkiNotetype(id=notetype.id, name=notetype.name, definition=notetype.to_json())
            )
        elif row.definition != notetype.to_json():
            row.name, row.definition = notetype.name, notetype.to_json()


class _Row:
    """A stored card as plain values, enough to tell whether an import changes it."""

    __slots__ = ("content", "id", "points", "tags")

    def __init__(self, card_id: int, content: tuple[Any, ...]) -> None:
        self.id = card_id
        self.content = content
        self.tags: list[str] = []
        self.points: list[PointValues] = []

    def matches(self, item: CardData, deck_id: int) -> bool:
        return (
            self.content == _content(item, deck_id)
            and self.tags == sorted(set(item.tags))
            and _merged_points(item.key_points, self.points) == self.points
        )


_CONTENT_COLUMNS = (
    Card.deck_id, Card.kind, Card.front, Card.back, Card.persona_key, Card.question,
    Card.model_answer, Card.media, Card.images, Card.back_images, Card.origin, Card.suspended,
)  # fmt: skip


def _content(item: CardData, deck_id: int) -> tuple[Any, ...]:
    return (
        deck_id, item.kind, item.front, item.back, item.persona, item.question,
        item.model_answer, list(item.media), list(item.images), list(item.back_images),
        _origin(item), item.suspended,
    )  # fmt: skip


def _origin(item: CardData) -> dict[str, Any] | None:
    return item.origin.to_json() if item.origin is not None else None


def _existing(session: Session, deck_ids: list[int]) -> dict[str, _Row | None]:
    rows: dict[str, _Row | None] = {}
    by_id: dict[int, _Row] = {}
    roleplays = []
    for card_id, guid, *content in session.execute(
        select(Card.id, Card.guid, *_CONTENT_COLUMNS).where(Card.deck_id.in_(deck_ids))
    ):
        if guid in rows:
            continue
        content[-1] = bool(content[-1])
        row = by_id[card_id] = _Row(card_id, tuple(content))
        rows[guid] = row
        if content[1] == "roleplay":
            roleplays.append(card_id)
    in_tree = select(Card.id).where(Card.deck_id.in_(deck_ids))
    for card_id, tag in session.execute(
        select(card_tag.c.card_id, Tag.name)
        .join(Tag, Tag.id == card_tag.c.tag_id)
        .where(card_tag.c.card_id.in_(in_tree))
        .order_by(Tag.name)
    ):
        if card_id in by_id:
            by_id[card_id].tags.append(tag)
    for card_id, label, alternatives, rejected in session.execute(
        select(
            KeyPointRow.card_id, KeyPointRow.label, KeyPointRow.alternatives, KeyPointRow.rejected
        )
        .where(KeyPointRow.card_id.in_(roleplays))
        .order_by(KeyPointRow.card_id, KeyPointRow.position)
    ):
        if card_id in by_id:
            by_id[card_id].points.append((label, list(alternatives), list(rejected or [])))
    return rows


def _update(session: Session, changed: list[tuple[int, CardData, int]], now: datetime) -> None:
    if not changed:
        return
    cards = {
        c.id: c
        for c in session.scalars(
            select(Card)
            .where(Card.id.in_([card_id for card_id, _, _ in changed]))
            .options(selectinload(Card.key_points), selectinload(Card.tags))
        )
    }
    tags = {t.name: t for t in session.scalars(select(Tag))}
    for card_id, item, deck_id in changed:
        card = cards[card_id]
        _apply(session, card, item, tags)
        card.deck_id = deck_id
        card.images = list(item.images)
        card.back_images = list(item.back_images)
        card.origin = _origin(item)
        # The file can set a card aside; it never takes back the user's own suspension.
        card.suspended = card.suspended or item.suspended
        card.updated_at = now


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
        "due", "last_review", "reps", "lapses", "suspended", "buried_until", "images",
        "back_images", "origin",
    )  # fmt: skip

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = db_datetime(now)
        self.when = now
        self.tomorrow = db_datetime(scheduling.start_of_day(now) + timedelta(days=1))
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
    ) -> int:
        """Queue ``item`` as a new card; returns the id it will have."""
        card_id = self.next_id
        self.next_id += 1
        schedule = item.schedule if with_scheduling else None
        # A new card (every card of a file read without its scheduling) has no schedule
        # columns to fill: the common case skips working them out, field by field.
        fsrs_state = due = last_review = buried = None
        reps = lapses = 0
        if schedule is not None:
            state = reviews.adopted_schedule(card_id, schedule, self.when)
            if state:
                fsrs_state = state.get("fsrs_state")
                fsrs_state = None if fsrs_state is None else json.dumps(fsrs_state)
                due = db_datetime(state.get("due"))
                last_review = db_datetime(state.get("last_review"))
                reps, lapses = state.get("reps", 0), state.get("lapses", 0)
        if with_scheduling and item.buried:
            buried = self.tomorrow
        origin = None if item.origin is None else _origin_json(item.origin)
        self.cards.append(
            (
                card_id, deck_id, guid, item.kind, position, item.front, item.back,
                item.persona, item.question, item.model_answer, _json_list(item.media),
                self.now, self.now, fsrs_state, due, last_review, reps, lapses,
                item.suspended, buried, _json_list(item.images),
                _json_list(item.back_images), origin,
            )
        )  # fmt: skip
        if item.key_points:
            self.key_points.extend(
                (card_id, i, k.label, _json_list(k.alternatives), _json_list(k.rejected))
                for i, k in enumerate(item.key_points)
            )
        self.tags.extend((card_id, name) for name in sorted(set(item.tags)))
        return card_id

    def write(self) -> None:
        if not self.cards:
            return
        conn = self.session.connection()
        # SQLite's default page cache (2 MB) fills up part way through a big deck's
        # rows and indexes, and it then spills pages to the WAL before the commit, some
        # of them more than once (about a tenth of the write on the bench deck). Only
        # the cache grows for these inserts; what reaches the disk at the commit, and
        # when, stays as it was.
        cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        conn.exec_driver_sql(f"PRAGMA cache_size={_BULK_CACHE_KIB}")
        try:
            self._insert(conn)
        finally:
            conn.exec_driver_sql(f"PRAGMA cache_size={int(cache or 0)}")

    def _insert(self, conn: Connection) -> None:
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


# Negative: kibibytes rather than pages. Memory only; released when the write is done.
_BULK_CACHE_KIB = -32768


def _hold_write_lock(session: Session) -> None:
    """Make sure this transaction holds the database's write lock. The driver begins a
    transaction only at the first write, so one that has written already holds it; one
    that has only read takes it now (waiting up to the busy timeout for another writer)."""
    conn = session.connection()
    raw = conn.connection.dbapi_connection
    if not getattr(raw, "in_transaction", True):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _origin_json(origin: AnkiOrigin) -> str:
    """``json.dumps(origin.to_json())``, written out: every card from Anki has one, and
    the general encoder took three times as long for it (3.7 against 1.0 us a card)."""
    fields = ", ".join(map(encode_basestring_ascii, origin.fields))
    return (
        f'{{"notetype_id": {int(origin.notetype_id)}, "ord": {int(origin.ord)}, '
        f'"fields": [{fields}], "shown": {encode_basestring_ascii(origin.shown)}}}'
    )


def _json_list(values: list[str]) -> str:
    return json.dumps(values) if values else "[]"  # most cards have no media


def _free_guid(guid: str, taken: dict[str, _Row | None]) -> str:
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


def _apply(session: Session, card: Card, item: CardData, tags: dict[str, Tag]) -> None:
    """Copy ``item``'s content onto ``card``."""
    current_points = [
        (k.label, list(k.alternatives), list(k.rejected or [])) for k in card.key_points
    ]
    wanted_points = _merged_points(item.key_points, current_points)
    card.kind = item.kind
    card.front, card.back = item.front, item.back
    card.persona_key, card.question, card.model_answer = (
        item.persona,
        item.question,
        item.model_answer,
    )
    card.media = list(item.media)
    if wanted_points != current_points:
        card.key_points = [
            KeyPointRow(position=i, label=label, alternatives=alts, rejected=rejected)
            for i, (label, alts, rejected) in enumerate(wanted_points)
        ]
    wanted_tags = sorted(set(item.tags))
    if wanted_tags != sorted(t.name for t in card.tags):
        card.tags = [_tag(session, name, tags) for name in wanted_tags]


def _merged_points(incoming: list[KeyPoint], current: list[PointValues]) -> list[PointValues]:
    """The file's key points, keeping what the user taught a point of the same label
    (alternatives they added, phrases they rejected): an update of a deck, the built-in
    one included, must not undo the user's corrections."""
    taught = {label: (alternatives, rejected) for label, alternatives, rejected in current}
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
