"""The decks that ship with Parley, seeded into every collection.

Seeding runs at every start but only parses a deck file when its bytes changed since the
last seed; changed content updates cards in place by their stable ids, so review history
survives content updates and nothing is duplicated.
"""

from __future__ import annotations

import hashlib
import sqlite3
from importlib import resources
from pathlib import Path

from app.core.deck_import import import_deck
from app.core.sweep import sweep_stale
from app.model.settings import Settings

BUILTIN_DECKS = {"rag-vs-fine-tuning": "rag-vs-fine-tuning.toml"}


def builtin_deck_path(key: str) -> Path:
    return Path(str(resources.files("content") / BUILTIN_DECKS[key]))


def seed_builtin_decks(conn: sqlite3.Connection, data_dir: Path | None = None) -> list[str]:
    """Seed or refresh every built-in deck, inside the caller's transaction on ``conn``;
    returns the keys that were (re)seeded.

    Seeding is the one step every opening of the collection by the app or the CLI runs,
    so the data dir's stale temporaries (see ``sweep``) are cleared here too. It goes
    through the sqlite3 driver: opening the collection loads no SQLAlchemy."""
    removed: list[str] = []
    if data_dir is not None:
        sweep_stale(data_dir)
        removed = Settings.load(data_dir).removed_builtin_decks

    seeded = []
    for key in BUILTIN_DECKS:
        if key in removed:  # the user deleted it
            continue
        path = builtin_deck_path(key)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        deck = conn.execute(
            "SELECT name, source_hash FROM deck WHERE builtin_key = ?", (key,)
        ).fetchone()
        if deck is not None and deck[1] == digest:
            continue
        # Only a changed deck file is parsed; the TOML reader is not loaded for the
        # every-start check that finds nothing to do.
        from app.formats.native import read_native

        data = read_native(path)
        import_deck(
            conn,
            data,
            deck_name=deck[0] if deck is not None else None,
            mode="update",
            builtin_key=key,
        )
        conn.execute("UPDATE deck SET source_hash = ? WHERE builtin_key = ?", (digest, key))
        seeded.append(key)
    return seeded
