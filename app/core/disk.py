"""Telling a disk that cannot be written from a damaged collection.

SQLite says "unable to open database file" on a read-only disk and "disk I/O error" on a
full one, just as it might for a broken file; offering to restore a backup then is wrong
(and on a full disk the restore itself fails). Failures are classified here: the error
codes that mean damage (``SQLITE_CORRUPT``, ``SQLITE_NOTADB``) are damage, and for the
ambiguous ones the data folder is probed with a small write, whose ``errno`` says what the
disk's trouble is.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

from app.model.errors import KnownError

READ_ONLY_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM}
FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
DAMAGE_CODES = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
_PROBE_BYTES = 64 * 1024


class ReadOnlyDiskError(KnownError):
    def __init__(self, folder: Path) -> None:
        super().__init__(
            f"{folder}: Parley cannot write to its data folder (the disk is read-only or "
            "the folder is not yours). Your collection is not damaged: make the folder "
            "writable, or pass --data-dir DIR to use another one."
        )


class DiskFullError(KnownError):
    def __init__(self, folder: Path, needed: int | None = None) -> None:
        need = f" (this needs about {_mb(needed)} free)" if needed else ""
        super().__init__(
            f"{folder}: the disk is full{need}. Your collection is not damaged: free some "
            "space and try again."
        )


def _mb(n: int) -> str:
    return f"{max(n / 1e6, 0.1):.1f} MB"


def os_error(exc: OSError, folder: Path) -> KnownError:
    """An ``OSError`` met while writing in ``folder``, as the one line to show."""
    if exc.errno in READ_ONLY_ERRNOS:
        return ReadOnlyDiskError(folder)
    if exc.errno in FULL_ERRNOS:
        return DiskFullError(folder)
    where = exc.filename or folder
    return KnownError(f"{where}: {exc.strerror or exc}")


def probe(folder: Path) -> KnownError | None:
    """Write a little into ``folder``: None when that works, else what stops it."""
    try:
        fd, name = tempfile.mkstemp(prefix=".parley-probe-", dir=folder)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return None  # nothing there yet; creating it will tell
        return os_error(exc, folder)
    try:
        os.write(fd, b"\0" * _PROBE_BYTES)
        os.fsync(fd)
    except OSError as exc:
        return os_error(exc, folder)
    finally:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(name)
    return None


def is_damage(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        text = str(exc)
        return "malformed" in text or "not a database" in text
    return (code & 0xFF) in DAMAGE_CODES


def environment_problem(exc: sqlite3.Error, folder: Path) -> KnownError | None:
    """For an SQLite error that is not damage: what is wrong with the disk, if anything."""
    if is_damage(exc):
        return None
    found = probe(folder)
    if found is not None:
        return found
    code = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF
    if code == sqlite3.SQLITE_FULL:
        return DiskFullError(folder)
    if code == sqlite3.SQLITE_READONLY:
        return ReadOnlyDiskError(folder)
    return None


def sqlite_error(exc: sqlite3.Error, path: Path, doing: str) -> KnownError:
    """Any SQLite error as one line: the disk's trouble when it is that."""
    found = environment_problem(exc, path.parent)
    if found is not None:
        return found
    return KnownError(f"{path}: could not {doing}: {exc}")


def ensure_dir(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_error(exc, folder) from exc


def free_bytes(folder: Path) -> int | None:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None
