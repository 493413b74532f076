"""Opening the SQLite file with SQLAlchemy: its engine (with the pragmas of
``driver``) and automatic Alembic migration."""

from __future__ import annotations

import sqlite3
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError

from app.core import disk, driver
from app.core.driver import HEAD_REVISION as HEAD_REVISION
from app.core.driver import needs_upgrade as needs_upgrade
from app.model.errors import KnownError


def _set_pragmas(dbapi_connection: Any, _record: Any) -> None:
    driver.set_pragmas(dbapi_connection)


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


def _migrate_without_cascades(conn: Connection, cfg: Any, revision: str, step: Any) -> None:
    """Run a migration with foreign keys off, as SQLite asks for table rebuilds: Alembic's
    batch mode drops and recreates a table, and with foreign keys on, dropping ``card``
    would cascade-delete every attempt, key point and review of every card. The keys
    are checked before the migration commits, so a broken reference is never kept."""
    conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # a no-op inside a transaction
    conn.commit()
    try:
        with conn.begin():
            cfg.attributes["connection"] = conn
            step(cfg, revision)
            broken = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
            if broken is not None:
                raise KnownError(
                    f"migrating to {revision} would leave row {broken[1]} of table "
                    f"{broken[0]} pointing at a missing {broken[2]}; nothing was changed"
                )
    finally:
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        conn.commit()


def downgrade(engine: Engine, revision: str) -> None:
    """Take the database back to ``revision`` (tests and support; the app never does)."""
    from alembic import command

    with engine.connect() as conn:
        _migrate_without_cascades(conn, alembic_config(engine), revision, command.downgrade)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision``. Skips loading Alembic when already at head,
    which keeps start-up fast for the common case."""
    if revision == "head" and current_revision(engine) == HEAD_REVISION:
        return
    from alembic import command
    from alembic.util.exc import CommandError

    cfg = alembic_config(engine)
    path = Path(str(engine.url.database))
    try:
        with engine.connect() as conn:
            _migrate_without_cascades(conn, cfg, revision, command.upgrade)
    except DBAPIError as exc:
        orig = exc.orig
        if isinstance(orig, sqlite3.Error):
            raise disk.sqlite_error(orig, path, "upgrade the collection") from exc
        raise KnownError(f"{path}: cannot upgrade the collection: {exc}") from exc
    except sqlite3.Error as exc:  # pragma: no cover - the driver's own, unwrapped
        raise disk.sqlite_error(exc, path, "upgrade the collection") from exc
    except CommandError as exc:
        # A revision this version does not know: the file was written by a newer Parley.
        found = current_revision(engine)
        raise KnownError(
            f"{path}: the collection was saved by a newer version of Parley (schema "
            f"{found}, this one knows up to {HEAD_REVISION}); update Parley to open it"
        ) from exc


def check_database_file(db_path: Path) -> None:
    """Refuse a file that exists but is not SQLite before SQLAlchemy trips over it."""
    if not db_path.exists() or db_path.stat().st_size == 0:
        return
    with db_path.open("rb") as fh:
        header = fh.read(16)
    if header != b"SQLite format 3\x00":
        raise KnownError(f"{db_path}: not a Parley collection (not an SQLite database)")
