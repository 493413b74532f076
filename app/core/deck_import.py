"""Merging a ``DeckData`` into the store: one transaction, every deck of its tree.

Cards are matched by their stable id (guid) anywhere in the tree being imported, so a
card that moved to another subdeck in Anki moves here too instead of being duplicated.
Re-importing a big package that did not change must be quick: the cards already there
are compared as plain rows, and only the ones that differ are written again.

Everything here goes through the ``sqlite3`` driver, not the ORM: an import writes tens
of thousands of rows, which the ORM spent more time converting than SQLite spent
writing, and ``parley import`` then never loads SQLAlchemy at all (a fifth of a second
of its start-up; see ``driver``). Values are written as the ORM's column types store
them: times as ``clock.db_datetime`` text, JSON as ``json.dumps`` text, booleans as 0/1.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from json.encoder import encode_basestring_ascii
from typing import TYPE_CHECKING, Any

from app.core import deck_tree, review_history
from app.core.clock import db_datetime, start_of_day, utcnow
from app.core.views import ImportSummary, RemarkCount
from app.model.deckdata import (
    IMPORT_MODES,
    AnkiOrigin,
    CardData,
    DeckData,
    ImportMode,
    KeyPoint,
    PersonaData,
    ScheduleData,
)
from app.model.errors import KnownError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

Progress = Callable[[int, int], None]
PointValues = tuple[str, list[str], list[str]]  # label, alternatives, rejected


def import_deck(
    db: sqlite3.Connection | Session,
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

    ``db`` is a connection inside the caller's transaction, or an ORM session (the
    services and tests that hold one): its pending changes are flushed first, the
    rows are written through its connection, and its objects are expired after, so
    they are read again as the import left them.
    """
    if isinstance(db, sqlite3.Connection):
        return _import(db, data, deck_name, mode, with_scheduling, builtin_key, now,
                       progress, file_digest)  # fmt: skip
    db.flush()
    conn = db.connection().connection.dbapi_connection
    assert isinstance(conn, sqlite3.Connection)
    try:
        return _import(conn, data, deck_name, mode, with_scheduling, builtin_key, now,
                       progress, file_digest)  # fmt: skip
    finally:
        db.expire_all()


def _import(
    conn: sqlite3.Connection,
    data: DeckData,
    deck_name: str | None,
    mode: ImportMode,
    with_scheduling: bool,
    builtin_key: str | None,
    now: datetime | None,
    progress: Progress | None,
    file_digest: str | None,
) -> ImportSummary:
    if mode not in IMPORT_MODES:
        raise KnownError(f"unknown import mode {mode!r} (use one of: {', '.join(IMPORT_MODES)})")
    now = now or utcnow()
    name = deck_tree.normalised(deck_name or data.name or "")
    if not name:
        raise KnownError("the deck has no name; pass --deck NAME")
    file_deck = deck_tree.normalised(data.name or "")
    root_id, root_name = _root_deck(conn, data, name, builtin_key, mode)
    paths = {
        path: deck_tree.normalised(deck_tree.rehome(path, file_deck, root_name)) or root_name
        for path in {card.deck for card in data.cards}
    }
    decks = _decks_for(conn, root_id, root_name, list(paths.values()))
    _merge_personas(conn, root_id, data.personas)
    _keep_notetypes(conn, data)

    tree = [
        deck_id
        for top in deck_tree.tops(list(decks))
        for deck_id, _ in deck_tree.deck_ids_within(conn, top)
    ]
    existing = _existing(conn, tree)
    next_position = (
        conn.execute(
            f"SELECT max(position) FROM card WHERE deck_id IN ({_marks(tree)})", tree
        ).fetchone()[0]
        or 0
    ) + 1
    new_cards = _NewCards(conn, now)
    changed: list[tuple[_Row, CardData, int]] = []
    # (card id, whether this import adds the card, its past reviews), kept with scheduling
    histories: list[tuple[int, bool, CardData]] = []
    added = unchanged = skipped = suspended = 0
    total = len(data.cards)
    # By the card's deck path: a deck's id looked up once, not for each card.
    deck_ids = {path: decks[name] for path, name in paths.items()}
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
                changed.append((row, item, deck_id))
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
    _update(conn, changed, now)
    new_cards.write()
    reviews_kept = review_history.add(conn, histories)
    if progress is not None:
        progress(total, total)
    # Only a file whose decks all sit in one tree can be recognised by that tree alone.
    one_tree = deck_tree.tops([root_name, *decks]) == [root_name]
    digest = None
    if file_digest and mode == "update" and one_tree:
        digest = file_digest[:32] + tree_digest(conn, root_name)[:32]
    conn.execute("UPDATE deck SET import_digest = ? WHERE id = ?", (digest, root_id))
    return ImportSummary(
        deck=root_name,
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


def _marks(values: Iterable[object]) -> str:
    """Placeholders for ``IN (...)``: one per value (a tree holds tens of decks, far
    below SQLite's limit of 32,766 variables)."""
    return ", ".join("?" for _ in values)


def tree_digest(conn: sqlite3.Connection, name: str) -> str:
    """A fingerprint of the cards in the tree ``name`` as stored: how many, in which
    decks, their text lengths, tags and suspension, and the last edit. An edit sets
    ``updated_at``; moving, tagging, suspending or deleting changes the sums."""
    within = (name, deck_tree.below_pattern(name))
    decks = f"SELECT id FROM deck WHERE {deck_tree.WITHIN_SQL}"
    cards = f"SELECT id FROM card WHERE deck_id IN ({decks})"
    row = conn.execute(
        "SELECT count(*), total(deck_id * id), max(updated_at), total(length(front)"
        " + length(back) + length(question) + length(model_answer) + length(media)"
        " + length(images) + length(back_images)), total(suspended)"
        f" FROM card WHERE deck_id IN ({decks})",
        within,
    ).fetchone()
    tags = conn.execute(
        f"SELECT count(*), total(tag_id) FROM card_tag WHERE card_id IN ({cards})", within
    ).fetchone()
    names = [deck for _, deck in deck_tree.deck_ids_within(conn, name)]
    raw = json.dumps([list(row), list(tags), names])
    return hashlib.sha256(raw.encode()).hexdigest()


def already_imported(
    conn: sqlite3.Connection, file_digest: str, deck_name: str | None
) -> ImportSummary | None:
    """The summary of importing (in update mode) a file whose bytes were the last import
    of a tree that has not changed since, without reading it; None when it must be read."""
    query = "SELECT name, import_digest FROM deck WHERE substr(import_digest, 1, 32) = ?"
    params = [file_digest[:32]]
    if deck_name:
        query += " AND name = ?"
        params.append(deck_tree.normalised(deck_name))
    for name, stored in conn.execute(query, params).fetchall():
        if stored == file_digest[:32] + tree_digest(conn, name)[:32]:
            decks = deck_tree.deck_ids_within(conn, name)
            ids = [deck_id for deck_id, _ in decks]
            count = conn.execute(
                f"SELECT count(*) FROM card WHERE deck_id IN ({_marks(ids)})", ids
            ).fetchone()[0]
            names = [deck for _, deck in decks]
            return ImportSummary(deck=name, unchanged=count, decks=names, same_file=True)
    return None


def _root_deck(
    conn: sqlite3.Connection, data: DeckData, name: str, builtin_key: str | None, mode: ImportMode
) -> tuple[int, str]:
    """(id, name) of the deck the file goes to, made when missing; a built-in deck is
    found by its key when the user renamed it."""
    row = conn.execute("SELECT id, name FROM deck WHERE name = ?", (name,)).fetchone()
    if row is None and builtin_key:
        row = conn.execute(
            "SELECT id, name FROM deck WHERE builtin_key = ?", (builtin_key,)
        ).fetchone()
    if row is None:
        made = conn.execute(
            "INSERT INTO deck (name, description, glossary, builtin_key, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (name, data.description, json.dumps(data.glossary.to_json()), builtin_key,
             db_datetime(utcnow())),
        )  # fmt: skip
        assert made.lastrowid is not None
        return made.lastrowid, name
    deck_id, found = row
    if data.description and mode == "update":
        conn.execute("UPDATE deck SET description = ? WHERE id = ?", (data.description, deck_id))
    if data.glossary and mode == "update":
        conn.execute(
            "UPDATE deck SET glossary = ? WHERE id = ?",
            (json.dumps(data.glossary.to_json()), deck_id),
        )
    return deck_id, found


def _decks_for(
    conn: sqlite3.Connection, root_id: int, root_name: str, names: list[str]
) -> dict[str, int]:
    """The ids of the decks the cards go to by full name, made (with their parents, and
    parents first) when missing."""
    wanted = list(dict.fromkeys([root_name, *names]))
    every = list(dict.fromkeys(a for n in wanted for a in [*deck_tree.ancestors(n), n]))
    found: dict[str, int] = dict(conn.execute("SELECT name, id FROM deck").fetchall())
    found[root_name] = root_id
    created = db_datetime(utcnow())
    for name in every:
        if name not in found:
            made = conn.execute(
                "INSERT INTO deck (name, description, glossary, created_at)"
                " VALUES (?, '', '{}', ?)",
                (name, created),
            )
            assert made.lastrowid is not None
            found[name] = made.lastrowid
    return {name: found[name] for name in wanted}


def _keep_notetypes(conn: sqlite3.Connection, data: DeckData) -> None:
    for notetype in data.notetypes.values():
        definition = notetype.to_json()
        row = conn.execute(
            "SELECT definition FROM anki_notetype WHERE id = ?", (notetype.id,)
        ).fetchone()
        if row is None:
            conn.execute(
                "INSERT INTO anki_notetype (id, name, definition) VALUES (?, ?, ?)",
                (notetype.id, notetype.name, json.dumps(definition)),
            )
        elif _json(row[0]) != definition:
            conn.execute(
                "UPDATE anki_notetype SET name = ?, definition = ? WHERE id = ?",
                (notetype.name, json.dumps(definition), notetype.id),
            )


def _json(text: str | None) -> Any:
    """A JSON column's value (SQL NULL and JSON null are both None, as the ORM reads them)."""
    return None if text is None else json.loads(text)


def _merge_personas(conn: sqlite3.Connection, deck_id: int, personas: list[PersonaData]) -> None:
    by_key: dict[str, int] = dict(
        conn.execute("SELECT key, id FROM persona WHERE deck_id = ?", (deck_id,)).fetchall()
    )
    for position, data in enumerate(personas):
        values = (data.name, data.role, data.cares_about, data.voice, position)
        persona_id = by_key.get(data.key)
        if persona_id is None:
            made = conn.execute(
                "INSERT INTO persona (deck_id, key, name, role, cares_about, voice, position)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (deck_id, data.key, *values),
            )
            assert made.lastrowid is not None
            by_key[data.key] = made.lastrowid
        else:
            conn.execute(
                "UPDATE persona SET name = ?, role = ?, cares_about = ?, voice = ?,"
                " position = ? WHERE id = ?",
                (*values, persona_id),
            )


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
    "deck_id", "kind", "front", "back", "persona_key", "question", "model_answer", "media",
    "images", "back_images", "origin", "suspended",
)  # fmt: skip
_JSON_CONTENT = frozenset(
    i for i, name in enumerate(_CONTENT_COLUMNS) if name in ("media", "images", "back_images",
                                                            "origin")
)  # fmt: skip


def _content(item: CardData, deck_id: int) -> tuple[Any, ...]:
    return (
        deck_id, item.kind, item.front, item.back, item.persona, item.question,
        item.model_answer, list(item.media), list(item.images), list(item.back_images),
        _origin(item), item.suspended,
    )  # fmt: skip


def _origin(item: CardData) -> dict[str, Any] | None:
    return item.origin.to_json() if item.origin is not None else None


def _existing(conn: sqlite3.Connection, deck_ids: list[int]) -> dict[str, _Row | None]:
    rows: dict[str, _Row | None] = {}
    by_id: dict[int, _Row] = {}
    in_tree = f"deck_id IN ({_marks(deck_ids)})"
    for card_id, guid, *content in conn.execute(
        f"SELECT id, guid, {', '.join(_CONTENT_COLUMNS)} FROM card WHERE {in_tree}", deck_ids
    ):
        if guid in rows:
            continue
        for index in _JSON_CONTENT:
            content[index] = _json(content[index])
        content[-1] = bool(content[-1])
        row = by_id[card_id] = _Row(card_id, tuple(content))
        rows[guid] = row
    for card_id, tag in conn.execute(
        "SELECT card_tag.card_id, tag.name FROM card_tag JOIN tag ON tag.id = card_tag.tag_id"
        f" WHERE card_tag.card_id IN (SELECT id FROM card WHERE {in_tree}) ORDER BY tag.name",
        deck_ids,
    ):
        if card_id in by_id:
            by_id[card_id].tags.append(tag)
    for card_id, label, alternatives, rejected in conn.execute(
        "SELECT card_id, label, alternatives, rejected FROM key_point WHERE card_id IN"
        f" (SELECT id FROM card WHERE {in_tree} AND kind = 'roleplay')"
        " ORDER BY card_id, position",
        deck_ids,
    ):
        if card_id in by_id:
            by_id[card_id].points.append(
                (label, list(_json(alternatives) or []), list(_json(rejected) or []))
            )
    return rows


def _update(
    conn: sqlite3.Connection, changed: list[tuple[_Row, CardData, int]], now: datetime
) -> None:
    """Write the file's content over the cards it changed; their scheduling and review
    history stay. Key points keep what the user taught them (``_merged_points``)."""
    if not changed:
        return
    when = db_datetime(now)
    cards = []
    points: list[tuple[int, int, str, str, str]] = []
    points_of: list[tuple[int]] = []
    tags: list[tuple[int, str]] = []
    tags_of: list[tuple[int]] = []
    for row, item, deck_id in changed:
        cards.append(
            (
                item.kind, item.front, item.back, item.persona, item.question,
                item.model_answer, _json_list(item.media), deck_id, _json_list(item.images),
                _json_list(item.back_images), _origin_text(item.origin),
                # The file can set a card aside; it never takes back the user's own
                # suspension.
                row.content[-1] or item.suspended, when, row.id,
            )
        )  # fmt: skip
        wanted_points = _merged_points(item.key_points, row.points)
        if wanted_points != row.points:
            points_of.append((row.id,))
            points.extend(
                (row.id, i, label, json.dumps(alternatives), json.dumps(rejected))
                for i, (label, alternatives, rejected) in enumerate(wanted_points)
            )
        wanted_tags = sorted(set(item.tags))
        if wanted_tags != row.tags:
            tags_of.append((row.id,))
            tags.extend((row.id, name) for name in wanted_tags)
    conn.executemany(
        "UPDATE card SET kind = ?, front = ?, back = ?, persona_key = ?, question = ?,"
        " model_answer = ?, media = ?, deck_id = ?, images = ?, back_images = ?, origin = ?,"
        " suspended = ?, updated_at = ? WHERE id = ?",
        cards,
    )
    conn.executemany("DELETE FROM key_point WHERE card_id = ?", points_of)
    _insert_key_points(conn, points)
    conn.executemany("DELETE FROM card_tag WHERE card_id = ?", tags_of)
    _insert_tags(conn, tags)


def _insert_key_points(
    conn: sqlite3.Connection, rows: list[tuple[int, int, str, str, str]]
) -> None:
    conn.executemany(
        "INSERT INTO key_point (card_id, position, label, alternatives, rejected)"
        " VALUES (?, ?, ?, ?, ?)",
        rows,
    )


def _insert_tags(conn: sqlite3.Connection, rows: list[tuple[int, str]]) -> None:
    """Tag cards: (card id, tag name) rows, the names made into tags when new."""
    if not rows:
        return
    names = sorted({name for _, name in rows})
    conn.executemany("INSERT OR IGNORE INTO tag (name) VALUES (?)", [(name,) for name in names])
    known = dict(conn.execute("SELECT name, id FROM tag").fetchall())
    conn.executemany(
        "INSERT INTO card_tag (card_id, tag_id) VALUES (?, ?)",
        [(card_id, known[name]) for card_id, name in rows],
    )


class _NewCards:
    """New cards collected as plain rows and written with a few bulk INSERTs.

    Most cards of a big import are flashcards that come without a schedule (every card
    of a file read without its scheduling), and twelve of their 23 columns hold the same
    for each: the kind, no persona, question or model answer, the import's time twice,
    no FSRS state, due or last review, no reps or lapses, not buried. Those go into their
    INSERT once instead of being bound for every row: binding eight of them was 42 of the
    137 ms SQLite took for the bench deck's 24,200 cards, and the other four about 11 ms
    more of the import. Every other card (a role-play,
    or a card that brings a schedule) has all its columns bound."""

    # Bound for every new card, in this order.
    COLUMNS = (
        "id", "deck_id", "guid", "position", "front", "back", "media", "suspended", "images",
        "back_images", "origin",
    )  # fmt: skip
    # Bound too for a role-play or a card with a schedule; for the others, as written
    # in ``_PLAIN_VALUES`` (the time is the import's).
    OTHER_COLUMNS = (
        "kind", "persona_key", "question", "model_answer", "created_at", "updated_at",
        "fsrs_state", "due", "last_review", "reps", "lapses", "buried_until",
    )  # fmt: skip
    _PLAIN_VALUES = "'flashcard', '', '', '', {now}, {now}, NULL, NULL, NULL, 0, 0, NULL"

    def __init__(self, conn: sqlite3.Connection, now: datetime) -> None:
        self.conn = conn
        self.now = db_datetime(now)
        self.when = now
        self.tomorrow = db_datetime(start_of_day(now) + timedelta(days=1))
        # Ids are allocated under SQLite's write lock: read before it, another process
        # importing at the same time reads the same max(id) and one of the two imports
        # fails with "UNIQUE constraint failed: card.id".
        _hold_write_lock(conn)
        self.next_id = (conn.execute("SELECT max(id) FROM card").fetchone()[0] or 0) + 1
        self.plain: list[tuple[Any, ...]] = []
        self.full: list[tuple[Any, ...]] = []
        self.key_points: list[tuple[int, int, str, str, str]] = []
        self.tags: list[tuple[int, str]] = []

    def add(
        self, deck_id: int, guid: str, position: int, item: CardData, with_scheduling: bool
    ) -> int:
        """Queue ``item`` as a new card; returns the id it will have."""
        card_id = self.next_id
        self.next_id += 1
        row = (
            card_id, deck_id, guid, position, item.front, item.back, _json_list(item.media),
            item.suspended, _json_list(item.images), _json_list(item.back_images),
            _origin_text(item.origin),
        )  # fmt: skip
        state = (
            adopted_schedule(card_id, item.schedule, self.when)
            if with_scheduling and item.schedule is not None
            else None
        )
        buried = self.tomorrow if with_scheduling and item.buried else None
        if state or buried or not _plain_flashcard(item):
            fsrs_state = due = last_review = None
            reps = lapses = 0
            if state:
                fsrs_state = json.dumps(state["fsrs_state"])
                due = db_datetime(state["due"])
                last_review = db_datetime(state["last_review"])
                reps, lapses = state["reps"], state["lapses"]
            self.full.append(
                (
                    *row, item.kind, item.persona, item.question, item.model_answer, self.now,
                    self.now, fsrs_state, due, last_review, reps, lapses, buried,
                )
            )  # fmt: skip
        else:
            self.plain.append(row)
        if item.key_points:
            self.key_points.extend(
                (card_id, i, k.label, _json_list(k.alternatives), _json_list(k.rejected))
                for i, k in enumerate(item.key_points)
            )
        self.tags.extend((card_id, name) for name in sorted(set(item.tags)))
        return card_id

    def write(self) -> None:
        if not (self.plain or self.full):
            return
        # SQLite's default page cache (2 MB) fills up part way through a big deck's
        # rows and indexes, and it then spills pages to the WAL before the commit, some
        # of them more than once (about a tenth of the write on the bench deck). Only
        # the cache grows for these inserts; what reaches the disk at the commit, and
        # when, stays as it was.
        cache = self.conn.execute("PRAGMA cache_size").fetchone()[0]
        self.conn.execute(f"PRAGMA cache_size={_BULK_CACHE_KIB}")
        try:
            insert = f"INSERT INTO card ({', '.join((*self.COLUMNS, *self.OTHER_COLUMNS))})"
            marks = ", ".join("?" for _ in self.COLUMNS)
            if self.plain:
                plain = self._PLAIN_VALUES.format(now=_text_literal(self.now))
                self.conn.executemany(f"{insert} VALUES ({marks}, {plain})", self.plain)
            if self.full:
                more = ", ".join("?" for _ in self.OTHER_COLUMNS)
                self.conn.executemany(f"{insert} VALUES ({marks}, {more})", self.full)
            _insert_key_points(self.conn, self.key_points)
            _insert_tags(self.conn, self.tags)
        finally:
            self.conn.execute(f"PRAGMA cache_size={int(cache or 0)}")


def _plain_flashcard(item: CardData) -> bool:
    """A flashcard with none of a role-play's fields: ``_PLAIN_VALUES`` holds for it."""
    return (
        item.kind == "flashcard" and not item.persona and not item.question
        and not item.model_answer
    )  # fmt: skip


def _text_literal(value: str | None) -> str:
    """``value`` as an SQL string literal (quotes doubled, as SQL escapes them)."""
    if value is None:
        return "NULL"
    return "'" + value.replace("'", "''") + "'"


# Negative: kibibytes rather than pages. Memory only; released when the write is done.
_BULK_CACHE_KIB = -32768


def adopted_schedule(card_id: int, schedule: ScheduleData, now: datetime) -> dict[str, Any]:
    """Card columns that carry another app's schedule over: a reviewed card due in
    ``due_in_days`` with a stability of about its interval."""
    if schedule.reps <= 0:
        return {}
    due = now + timedelta(days=max(0, schedule.due_in_days))
    stability = float(max(1, schedule.interval_days))
    last_review = due - timedelta(days=stability)
    # fsrs.State: a learning or relearning card starts again at its first step.
    state = {"learning": 1, "relearning": 3}.get(schedule.state, 2)
    return {
        "fsrs_state": {
            "card_id": card_id,
            "state": state,
            "step": None if state == 2 else 0,
            "stability": stability,
            "difficulty": 5.0,
            "due": due.isoformat(),
            "last_review": last_review.isoformat(),
        },
        "due": due,
        "last_review": last_review,
        "reps": schedule.reps,
        "lapses": schedule.lapses,
    }


def _hold_write_lock(conn: sqlite3.Connection) -> None:
    """Make sure this transaction holds the database's write lock. A session's
    connection begins a transaction only at the first write, so one that has written
    already holds it; one that has only read takes it now (waiting up to the busy
    timeout for another writer). ``driver.transaction(immediate=True)`` holds it already."""
    if not conn.in_transaction:
        conn.execute("BEGIN IMMEDIATE")


def _origin_text(origin: AnkiOrigin | None) -> str | None:
    """``json.dumps(origin.to_json())``, written out: every card from Anki has one, and
    the general encoder took three times as long for it (3.7 against 1.0 us a card)."""
    if origin is None:
        return None
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
