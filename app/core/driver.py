"""The collection through the ``sqlite3`` driver alone: the connection settings every
connection gets, a transaction, and whether the file needs a migration.

SQLAlchemy takes a fifth of a second to import, more than the rest of a command's
start-up. What runs at every opening of the collection (the schema check, seeding) and
an import, which writes its rows in bulk anyway, go through here and never load it; the
ORM is loaded by the first ``Store.session()``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

HEAD_REVISION = "0009"
BUSY_TIMEOUT_MS = 10_000

PRAGMAS = (
    # WAL lets the GUI read while the DB worker writes; NORMAL sync is crash-safe in WAL
    # (a killed process loses nothing committed), only a power cut may drop the last commit.
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    # How long a write waits for another process's transaction (an import, say).
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
)


def set_pragmas(conn: sqlite3.Connection) -> None:
    cursor = conn.cursor()
    for pragma in PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def connect(db_path: Path) -> sqlite3.Connection:
    """A connection whose transactions are begun and ended by ``transaction`` only
    (the driver's own implicit BEGIN is off), with the collection's settings."""
    conn = sqlite3.connect(db_path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        set_pragmas(conn)
    except BaseException:
        conn.close()
        raise
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection, *, immediate: bool = False) -> Iterator[None]:
    """One transaction: committed when the block ends, rolled back when it raises.
    ``immediate`` takes the write lock before the first read, for work that decides
    what to write from what it reads (waiting up to the busy timeout for a writer)."""
    conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def needs_upgrade(db_path: Path) -> bool:
    """Whether the file at ``db_path`` is missing, new or behind ``HEAD_REVISION``."""
    if not db_path.exists() or db_path.stat().st_size == 0:
        wal = Path(f"{db_path}-wal")
        if not (wal.exists() and wal.stat().st_size > 0):
            return True
    try:
        with closing(sqlite3.connect(db_path, timeout=5)) as conn:
            has_table = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
            ).fetchone()
            row = (
                conn.execute("SELECT version_num FROM alembic_version").fetchone()
                if has_table
                else None
            )
    except sqlite3.Error:
        return True  # the upgrade will say what is wrong
    return row is None or str(row[0]) != HEAD_REVISION
