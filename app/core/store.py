"""The collection: one SQLite file in the data dir, opened, migrated and seeded.

A ``Store`` hands out sessions, each its own transaction (commit on success, rollback on
error). Sessions are never shared between threads; the GUI funnels all database work
through one worker thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.core import backups, db
from app.core.paths import DB_FILENAME


class Store:
    def __init__(self, data_dir: Path, engine: Engine) -> None:
        self.data_dir = data_dir
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def db_path(self) -> Path:
        return self.data_dir / DB_FILENAME

    @classmethod
    def open(cls, data_dir: Path, *, seed: bool = True) -> Store:
        data_dir.mkdir(parents=True, exist_ok=True)
        db_path = data_dir / DB_FILENAME
        db.check_database_file(db_path)
        # A damaged file becomes a CorruptCollectionError that says how to restore a backup.
        backups.ensure_intact(db_path)
        engine = db.make_engine(db_path)
        db.upgrade(engine)
        store = cls(data_dir, engine)
        if seed:
            from app.core.seed import seed_builtin_decks

            with store.session() as session:
                seed_builtin_decks(session, data_dir)
        return store

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()
