"""Writing a deck as an Anki package in the legacy layout every Anki still imports.

The package holds ``collection.anki2`` — SQLite, schema 11, note types and decks as JSON
in the ``col`` row — a JSON ``media`` map and the media files named ``0``, ``1``, ...
Flashcards go out as Basic, reversed or Cloze notes (see ``anki_notes``), or as the
Anki note they were read from with its own note type, and role-plays as a "Parley
Role-play" note type whose fields Parley reads back. Every deck of the tree goes out by
its full ``Parent::Child`` name, and parents without cards of their own are made too.
With scheduling, cards keep their state (learning, review, relearning), due day,
interval and counts, and their past reviews go into the review log; suspension goes
out either way.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from app.formats.anki_cards import PARLEY_NOTETYPE_BASE, ROLEPLAY_FIELDS, ROLEPLAY_NOTETYPE
from app.formats.anki_notes import (
    BASIC,
    CLOZE,
    REVERSED,
    ROLEPLAY,
    PlannedCard,
    PlannedNote,
    plan_notes,
)
from app.formats.htmltext import html_to_text, text_to_html
from app.model.deckdata import REVIEW_KINDS, DeckData, NoteTypeData, ReviewData
from app.model.errors import DeckFormatError

_SCHEMA = """
CREATE TABLE col (id integer PRIMARY KEY, crt integer NOT NULL, mod integer NOT NULL,
  scm integer NOT NULL, ver integer NOT NULL, dty integer NOT NULL, usn integer NOT NULL,
  ls integer NOT NULL, conf text NOT NULL, models text NOT NULL, decks text NOT NULL,
  dconf text NOT NULL, tags text NOT NULL);
CREATE TABLE notes (id integer PRIMARY KEY, guid text NOT NULL, mid integer NOT NULL,
  mod integer NOT NULL, usn integer NOT NULL, tags text NOT NULL, flds text NOT NULL,
  sfld integer NOT NULL, csum integer NOT NULL, flags integer NOT NULL, data text NOT NULL);
CREATE TABLE cards (id integer PRIMARY KEY, nid integer NOT NULL, did integer NOT NULL,
  ord integer NOT NULL, mod integer NOT NULL, usn integer NOT NULL, type integer NOT NULL,
  queue integer NOT NULL, due integer NOT NULL, ivl integer NOT NULL, factor integer NOT NULL,
  reps integer NOT NULL, lapses integer NOT NULL, left integer NOT NULL, odue integer NOT NULL,
  odid integer NOT NULL, flags integer NOT NULL, data text NOT NULL);
CREATE TABLE revlog (id integer PRIMARY KEY, cid integer NOT NULL, usn integer NOT NULL,
  ease integer NOT NULL, ivl integer NOT NULL, lastIvl integer NOT NULL,
  factor integer NOT NULL, time integer NOT NULL, type integer NOT NULL);
CREATE TABLE graves (usn integer NOT NULL, oid integer NOT NULL, type integer NOT NULL);
CREATE INDEX ix_notes_usn ON notes (usn);
CREATE INDEX ix_cards_usn ON cards (usn);
CREATE INDEX ix_revlog_usn ON revlog (usn);
CREATE INDEX ix_cards_nid ON cards (nid);
CREATE INDEX ix_cards_sched ON cards (did, queue, due);
CREATE INDEX ix_revlog_cid ON revlog (cid);
CREATE INDEX ix_notes_csum ON notes (csum);
"""

_CSS = (
    ".card { font-family: arial; font-size: 20px; text-align: center; color: black; "
    "background-color: white; }\n.cloze { font-weight: bold; color: blue; }"
)
_ANSWER = "{{FrontSide}}\n\n<hr id=answer>\n\n"
_ANKI_TYPES = {"learning": 1, "review": 2, "relearning": 3}
_QUEUE_LEARNING, _QUEUE_SUSPENDED, _QUEUE_BURIED = 1, -1, -3

ModelSpec = tuple[int, str, int, list[str], list[tuple[str, str, str]]]

# Fixed ids, so that packages from Parley share their note types inside Anki.
_MODELS: dict[str, ModelSpec] = {
    BASIC: (
        PARLEY_NOTETYPE_BASE + 1,
        "Basic (Parley)",
        0,
        ["Front", "Back"],
        [("Card 1", "{{Front}}", _ANSWER + "{{Back}}")],
    ),
    REVERSED: (
        PARLEY_NOTETYPE_BASE + 2,
        "Basic and reversed (Parley)",
        0,
        ["Front", "Back"],
        [
            ("Card 1", "{{Front}}", _ANSWER + "{{Back}}"),
            ("Card 2", "{{Back}}", _ANSWER + "{{Front}}"),
        ],
    ),
    CLOZE: (
        PARLEY_NOTETYPE_BASE + 3,
        "Cloze (Parley)",
        1,
        ["Text", "Back Extra"],
        [("Cloze", "{{cloze:Text}}", "{{cloze:Text}}<br>\n{{Back Extra}}")],
    ),
    ROLEPLAY: (
        PARLEY_NOTETYPE_BASE + 4,
        ROLEPLAY_NOTETYPE,
        0,
        list(ROLEPLAY_FIELDS),
        [
            (
                "Role-play",
                "<i>{{Persona}}</i> asks:<br>{{Question}}",
                _ANSWER + "{{Model Answer}}<br><br><b>Key points</b><br>{{Key Points}}",
            )
        ],
    ),
}


def write_apkg(deck: DeckData, path: Path) -> None:
    """Write ``deck`` as a legacy (schema 11) ``.apkg`` that Anki 2.1 and later import."""
    path = Path(path)
    notes = plan_notes(deck.cards, {i: t.kind for i, t in deck.notetypes.items()})
    now = int(time.time())
    with tempfile.TemporaryDirectory(prefix="parley-apkg-") as tmp:
        db_path = Path(tmp) / "collection.anki2"
        _write_collection(db_path, deck, notes, now)
        media = {name: src for name, src in deck.media_files.items()}
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
            package.write(db_path, "collection.anki2")
            media_map = {}
            for index, (name, src) in enumerate(media.items()):
                if not Path(src).is_file():
                    raise DeckFormatError(path, f"media file {name!r} is missing ({src})")
                package.write(src, str(index), compress_type=zipfile.ZIP_STORED)
                media_map[str(index)] = name
            package.writestr("media", json.dumps(media_map))


def _write_collection(db_path: Path, deck: DeckData, notes: list[PlannedNote], now: int) -> None:
    deck_id = _stable_id(deck.name)
    deck_ids = _deck_ids(deck, notes)
    day_start = now - now % 86400
    used = {note.kind for note in notes}
    models = {
        str(spec[0]): _model(spec, deck_id, now) for kind, spec in _MODELS.items() if kind in used
    }
    for notetype_id in sorted({n.notetype_id for n in notes if n.notetype_id is not None}):
        original = deck.notetypes[notetype_id]
        models[str(notetype_id)] = _model(_spec(original), deck_id, 0, css=original.css)
    conn = sqlite3.connect(db_path)
    try:
        conn.executescript(_SCHEMA)
        conn.execute(
            "INSERT INTO col VALUES (1, ?, ?, ?, 11, 0, 0, 0, ?, ?, ?, ?, '{}')",
            (
                day_start,
                now * 1000,
                now * 1000,
                json.dumps(_conf(deck_id)),
                json.dumps(models),
                json.dumps(_decks(deck, deck_ids, now)),
                json.dumps(_dconf()),
            ),
        )
        next_id = now * 1000
        position = 0
        revlog_ids: set[int] = set()
        for note in notes:
            next_id += 1
            note_id = next_id
            model_id = note.notetype_id if note.notetype_id else _MODELS[note.kind][0]
            sort_field = html_to_text(note.fields[0]).text
            checksum = int(hashlib.sha1(sort_field.encode("utf-8")).hexdigest()[:8], 16)
            conn.execute(
                "INSERT INTO notes VALUES (?, ?, ?, ?, -1, ?, ?, ?, ?, 0, '')",
                (
                    note_id,
                    note.guid,
                    model_id,
                    now,
                    _tags(note.tags),
                    "\x1f".join(note.fields),
                    sort_field,
                    checksum,
                ),
            )
            for card in note.cards:
                next_id += 1
                position += 1
                conn.execute(
                    "INSERT INTO cards VALUES "
                    "(?, ?, ?, ?, ?, -1, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, '')",
                    (
                        next_id,
                        note_id,
                        deck_ids[card.deck or deck.name],
                        card.ord,
                        now,
                        *_card_state(card, position, now),
                    ),
                )
                conn.executemany(
                    "INSERT INTO revlog VALUES (?, ?, -1, ?, ?, ?, ?, ?, ?)",
                    [_revlog(r, next_id, revlog_ids) for r in card.history],
                )
        conn.commit()
    finally:
        conn.close()


def _card_state(card: PlannedCard, position: int, now: int) -> tuple[int, ...]:
    """type, queue, due, ivl, factor, reps, lapses"""
    schedule = card.schedule
    set_aside = _QUEUE_SUSPENDED if card.suspended else _QUEUE_BURIED if card.buried else None
    if schedule is None:
        return (0, 0 if set_aside is None else set_aside, position, 0, 0, 0, 0)
    kind = _ANKI_TYPES.get(schedule.state, 2)
    days = max(0, schedule.due_in_days)
    # Review cards are due on a day counted from the collection's creation, which is
    # today; learning steps at a moment, in seconds since the epoch.
    queue, due = (_QUEUE_LEARNING, now + days * 86400) if kind != 2 else (2, days)
    if set_aside is not None:
        queue = set_aside
    return (kind, queue, due, max(1, schedule.interval_days), 2500, schedule.reps, schedule.lapses)


def _revlog(review: ReviewData, card_id: int, taken: set[int]) -> tuple[int, ...]:
    """id, cid, ease, ivl, lastIvl, factor, time, type: a review as Anki logs it. The id
    is the review's time in milliseconds; Anki needs it unique, so a clash moves on 1 ms."""
    log_id = review.at_ms
    while log_id in taken:
        log_id += 1
    taken.add(log_id)
    kind = REVIEW_KINDS.index(review.kind) if review.kind in REVIEW_KINDS else 1
    return (
        log_id, card_id, review.rating, _anki_interval(review.interval_s),
        _anki_interval(review.last_interval_s), review.factor, review.duration_ms, kind,
    )  # fmt: skip


def _anki_interval(seconds: int) -> int:
    """Anki's log keeps an interval as days when it is a day or more, else as minus the
    seconds."""
    return round(seconds / 86400) if seconds >= 86400 else -seconds


def _tags(tags: list[str]) -> str:
    cleaned = ["_".join(tag.split()) for tag in tags if tag.strip()]
    return f" {' '.join(cleaned)} " if cleaned else ""


def _stable_id(name: str) -> int:
    digest = int(hashlib.sha1(name.encode("utf-8")).hexdigest()[:10], 16)
    return 1_500_000_000_000 + digest % 100_000_000_000


def _spec(notetype: NoteTypeData) -> ModelSpec:
    return (notetype.id, notetype.name, notetype.kind, notetype.fields, notetype.templates)


def _model(spec: ModelSpec, deck_id: int, now: int, css: str = _CSS) -> dict[str, Any]:
    """A note type as schema 11 stores it. An Anki note type is written with a modified
    time of 0, so that importing never replaces the user's own copy of it."""
    model_id, name, kind, fields, templates = spec
    return {
        "id": model_id,
        "name": name,
        "type": kind,
        "mod": now,
        "usn": -1,
        "sortf": 0,
        "did": deck_id,
        "css": css,
        "tags": [],
        "vers": [],
        "latexPre": "\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n"
        "\\usepackage[utf8]{inputenc}\n\\usepackage{amssymb,amsmath}\n"
        "\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n\\begin{document}\n",
        "latexPost": "\\end{document}",
        "latexsvg": False,
        "req": [
            [i, "any", [i if kind == 0 and len(templates) > 1 else 0]]
            for i in range(len(templates))
        ],
        "flds": [
            {
                "name": field,
                "ord": i,
                "sticky": False,
                "rtl": False,
                "font": "Arial",
                "size": 20,
                "description": "",
                "plainText": False,
                "collapsed": False,
                "excludeFromSearch": False,
                "media": [],
            }
            for i, field in enumerate(fields)
        ],
        "tmpls": [
            {
                "name": tname,
                "ord": i,
                "qfmt": qfmt,
                "afmt": afmt,
                "bqfmt": "",
                "bafmt": "",
                "did": None,
                "bfont": "",
                "bsize": 0,
            }
            for i, (tname, qfmt, afmt) in enumerate(templates)
        ],
    }


def _deck_ids(deck: DeckData, notes: list[PlannedNote]) -> dict[str, int]:
    """Every deck the cards sit in, and every parent of one, by full name."""
    names = [deck.name] + [c.deck for n in notes for c in n.cards if c.deck]
    out: dict[str, int] = {}
    for name in dict.fromkeys(names):
        parts = name.split("::")
        for depth in range(1, len(parts) + 1):
            path = "::".join(parts[:depth])
            out.setdefault(path, _stable_id(path))
    return out


def _decks(deck: DeckData, deck_ids: dict[str, int], now: int) -> dict[str, Any]:
    def one(did: int, name: str, desc: str) -> dict[str, Any]:
        return {
            "id": did,
            "name": name,
            "desc": desc,
            "mod": now,
            "usn": -1,
            "dyn": 0,
            "conf": 1,
            "collapsed": False,
            "browserCollapsed": False,
            "extendNew": 0,
            "extendRev": 0,
            "newToday": [0, 0],
            "revToday": [0, 0],
            "lrnToday": [0, 0],
            "timeToday": [0, 0],
        }

    out = {"1": one(1, "Default", "")}
    for name, did in deck_ids.items():
        out[str(did)] = one(did, name, text_to_html(deck.description) if name == deck.name else "")
    return out


def _conf(deck_id: int) -> dict[str, Any]:
    return {
        "activeDecks": [deck_id],
        "curDeck": deck_id,
        "newSpread": 0,
        "collapseTime": 1200,
        "timeLim": 0,
        "estTimes": True,
        "dueCounts": True,
        "curModel": None,
        "nextPos": 1,
        "sortType": "noteFld",
        "sortBackwards": False,
        "addToCur": True,
        # Without it Anki takes the package for one of its first scheduler's, and on
        # import renumbers the answer buttons of every learning review in the log.
        "schedVer": 2,
    }


def _dconf() -> dict[str, Any]:
    return {
        "1": {
            "id": 1,
            "name": "Default",
            "mod": 0,
            "usn": 0,
            "maxTaken": 60,
            "autoplay": True,
            "timer": 0,
            "replayq": True,
            "dyn": False,
            "new": {
                "delays": [1.0, 10.0],
                "ints": [1, 4, 0],
                "initialFactor": 2500,
                "order": 1,
                "perDay": 20,
                "bury": False,
            },
            "rev": {
                "perDay": 200,
                "ease4": 1.3,
                "ivlFct": 1.0,
                "maxIvl": 36500,
                "bury": False,
                "hardFactor": 1.2,
            },
            "lapse": {
                "delays": [10.0],
                "mult": 0.0,
                "minInt": 1,
                "leechFails": 8,
                "leechAction": 1,
            },
        }
    }
