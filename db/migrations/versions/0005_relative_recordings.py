"""Recordings stored relative to the data dir.

Attempts kept the absolute path of their recording, so moving or copying the data folder
(as the README advises) orphaned every one. A path inside the collection's folder becomes
relative to it (``recordings/…``). A path outside it whose file is in this folder's
``recordings/`` — the folder was moved before this upgrade — becomes that relative path
too. Any other path (a recording kept elsewhere on purpose) stays as it is.

The data dir is the folder of the SQLite file being upgraded; an in-memory database has
none, and nothing is converted.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 08:00:00
"""

import os
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RECORDINGS = "recordings"


def _data_dir() -> Path | None:
    database = op.get_bind().engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(os.path.abspath(database)).parent


def relative_path(stored: str, data_dir: Path) -> str | None:
    """The data-dir-relative form of ``stored``, or None to leave it as it is."""
    path = Path(stored)
    if not path.is_absolute():
        return None
    for inner, outer in ((Path(os.path.abspath(path)), data_dir),
                         (path.resolve(), data_dir.resolve())):  # fmt: skip
        try:
            return inner.relative_to(outer).as_posix()
        except ValueError:
            continue
    moved = data_dir / RECORDINGS / path.name
    if path.parent.name == RECORDINGS and not path.exists() and moved.is_file():
        return f"{RECORDINGS}/{path.name}"
    return None


def upgrade() -> None:
    data_dir = _data_dir()
    if data_dir is None:
        return
    conn = op.get_bind()
    rows = conn.exec_driver_sql(
        "SELECT id, audio_path FROM attempt WHERE audio_path IS NOT NULL AND audio_path != ''"
    ).fetchall()
    changes = [
        (new, row_id)
        for row_id, stored in rows
        if (new := relative_path(str(stored), data_dir)) is not None
    ]
    if changes:
        conn.exec_driver_sql("UPDATE attempt SET audio_path = ? WHERE id = ?", changes)


def downgrade() -> None:
    data_dir = _data_dir()
    if data_dir is None:
        return
    conn = op.get_bind()
    rows = conn.exec_driver_sql(
        "SELECT id, audio_path FROM attempt WHERE audio_path IS NOT NULL AND audio_path != ''"
    ).fetchall()
    changes = [
        (str(data_dir.joinpath(*PurePosixPath(stored).parts)), row_id)
        for row_id, stored in rows
        if not Path(stored).is_absolute() and "/" in stored  # a bare name stays one
    ]
    if changes:
        conn.exec_driver_sql("UPDATE attempt SET audio_path = ? WHERE id = ?", changes)
