"""The collection: one SQLite file in the data dir, opened, migrated and seeded.

A ``Store`` hands out sessions, each its own transaction (commit on success, rollback on
error). Sessions are never shared between threads; the GUI funnels all database work
through one worker thread. ``transaction()`` is a transaction on the sqlite3 driver
alone: opening, seeding and importing use it, so SQLAlchemy is loaded (a fifth of a
second) only by the first ``session()``, and ``parley import`` never loads it.

An open store holds the data dir's lock shared (:mod:`app.core.lock`), so a restore in
another process waits for it to close instead of replacing the file under it; migrations
run with the lock held exclusively, so two first runs never migrate the same file at once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from app.core import backups, disk, driver, lock
from app.core.seed import seed_builtin_decks
from app.model.errors import CorruptCollectionError, KnownError
from app.model.paths import DB_FILENAME

if TYPE_CHECKING:
    from sqlalchemy import Engine

    # Session is named here too: the ui types the work it hands the DB worker with it,
    # and may not import SQLAlchemy itself.
    from sqlalchemy.orm import Session as Session
    from sqlalchemy.orm import sessionmaker


class Store:
    def __init__(
        self, data_dir: Path, engine: Engine | None = None, held: lock.DataDirLock | None = None
    ) -> None:
        self.data_dir = data_dir
        self._engine = engine
        self._held = held
        self._sessions: sessionmaker[Session] | None = None

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, made (and SQLAlchemy imported) when first asked for."""
        if self._engine is None:
            from app.core import db

            self._engine = db.make_engine(self.db_path)
        return self._engine

    @property
    def db_path(self) -> Path:
        return self.data_dir / DB_FILENAME

    @classmethod
    def open(cls, data_dir: Path, *, seed: bool = True, wait: float = lock.WAIT_SECONDS) -> Store:
        disk.ensure_dir(data_dir)
        held = lock.acquire(data_dir, wait=wait)
        try:
            return cls._open_locked(data_dir, held, seed=seed, wait=wait)
        except BaseException:
            held.release()
            raise

    @classmethod
    def _open_locked(
        cls, data_dir: Path, held: lock.DataDirLock, *, seed: bool, wait: float
    ) -> Store:
        db_path = data_dir / DB_FILENAME
        _refuse_damage(db_path)
        # Migrate with the lock held exclusively; taking it means letting go of the shared
        # hold for a moment, so look again once it is shared again (a restore may have
        # slipped in with an older schema).
        for _attempt in range(3):
            if not driver.needs_upgrade(db_path):
                break
            # Another first run may be migrating right now: that is worth a longer wait.
            with held.exclusive(
                wait=max(wait, lock.MIGRATION_WAIT_SECONDS), doing="upgrade the collection"
            ):
                _refuse_damage(db_path)
                from app.core import db

                migrating = db.make_engine(db_path)
                try:
                    db.upgrade(migrating)
                finally:
                    migrating.dispose()
        else:
            raise KnownError(f"{db_path}: the collection could not be brought up to date")
        store = cls(data_dir, None, held)
        if seed:
            try:
                # Two first runs seed at once: the write lock from the start makes the
                # second see the first one's deck instead of adding it again.
                with store.transaction(immediate=True) as conn:
                    seed_builtin_decks(conn, data_dir)
            except sqlite3.OperationalError as exc:
                raise disk.sqlite_error(exc, db_path, "open the collection") from exc
        return store

    @contextmanager
    def session(self, *, immediate: bool = False) -> Iterator[Session]:
        """One transaction. ``immediate=True`` takes SQLite's write lock before the first
        read, for work that decides what to write from what it reads."""
        if self._sessions is None:
            from sqlalchemy.orm import sessionmaker

            self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        with self._sessions.begin() as session:
            if immediate:
                session.connection().exec_driver_sql("BEGIN IMMEDIATE")
            yield session

    @contextmanager
    def transaction(self, *, immediate: bool = False) -> Iterator[sqlite3.Connection]:
        """One transaction on a connection of the sqlite3 driver, closed after it;
        ``immediate`` as for ``session``."""
        with (
            closing(driver.connect(self.db_path)) as conn,
            driver.transaction(conn, immediate=immediate),
        ):
            yield conn

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
        if self._held is not None:
            self._held.release()
            self._held = None


def _refuse_damage(db_path: Path) -> None:
    """A damaged file becomes a CorruptCollectionError that says how to restore a backup;
    a read-only or full disk its own message (raised by the check)."""
    problem = backups.check_integrity(db_path, quick=True)
    if problem is None:
        return
    if problem == "not an SQLite database" and not backups.has_backups(db_path.parent):
        raise KnownError(f"{db_path}: not a Parley collection (not an SQLite database)")
    raise CorruptCollectionError(db_path, problem)
