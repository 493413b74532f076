"""Opening the SQLite file: connection pragmas and automatic Alembic migration."""

from __future__ import annotations

import sqlite3
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event

from app.core.errors import KnownError

HEAD_REVISION = "0005"


def _set_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the GUI read while the DB worker writes; NORMAL sync is crash-safe in WAL
    # (a killed process loses nothing committed), only a power cut may drop the last commit.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(db_path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{db_path}")
    event.listen(engine, "connect", _set_pragmas)
    return engine


def migrations_dir() -> Path:
    return Path(str(resources.files("db") / "migrations"))


def alembic_config(engine: Engine | None = None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        has_table = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
        ).first()
        if not has_table:
            return None
        row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
        return None if row is None else str(row[0])


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision``. Skips loading Alembic when already at head,
    which keeps start-up fast for the common case."""
    if revision == "head" and current_revision(engine) == HEAD_REVISION:
        return
    from alembic import command

    cfg = alembic_config(engine)
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    except sqlite3.DatabaseError as exc:  # pragma: no cover - surfaced via KnownError
        raise KnownError(f"{engine.url.database}: cannot upgrade the collection: {exc}") from exc


def check_database_file(db_path: Path) -> None:
    """Refuse a file that exists but is not SQLite before SQLAlchemy trips over it."""
    if not db_path.exists() or db_path.stat().st_size == 0:
        return
    with db_path.open("rb") as fh:
        header = fh.read(16)
    if header != b"SQLite format 3\x00":
        raise KnownError(f"{db_path}: not a Parley collection (not an SQLite database)")
