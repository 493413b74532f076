"""Backups of the collection, their rotation, integrity checks and restoring one.

Backups are made with SQLite's online backup API, never by copying the file: a copy of a
live WAL database can miss committed pages that still sit in the ``-wal`` file. Each
backup is a standalone SQLite file named for the local time it was taken
(``parley-20261124-153000.sqlite3``), written beside its final name and renamed into
place, so a half-written backup never looks like a backup.

Rotation keeps what Anki keeps: every backup from today and yesterday, then the newest
backup of each of 12 earlier days, then of 10 earlier weeks, then of 9 earlier months
(see :func:`backups_to_keep`).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from app.core import disk, lock
from app.model.errors import CorruptCollectionError, KnownError, NotFoundError
from app.model.paths import DB_FILENAME, backups_dir

BACKUP_INTERVAL = timedelta(minutes=30)
DAILY, WEEKLY, MONTHLY = 12, 10, 9
PREFIX = "parley-"
SUFFIX = ".sqlite3"
BEFORE_RESTORE = "before-restore"
BEFORE_IMPORT = "before-import"
_NAME = re.compile(r"^parley-(\d{8}-\d{6})(?:-([a-z-]+))?\.sqlite3$")


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created: datetime  # aware, local time
    size: int
    cards: int | None  # None when the file cannot be read as a collection

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "created": self.created.isoformat(),
            "size": self.size,
            "cards": self.cards,
        }


# -- names and times ----------------------------------------------------------------------
def _local(dt: datetime, tz: tzinfo | None) -> datetime:
    return dt.astimezone(tz) if tz is not None else dt.astimezone()


def backup_name(when: datetime, tz: tzinfo | None = None, tag: str = "") -> str:
    stamp = _local(when, tz).strftime("%Y%m%d-%H%M%S")
    return f"{PREFIX}{stamp}{'-' + tag if tag else ''}{SUFFIX}"


def parse_backup_name(name: str, tz: tzinfo | None = None) -> datetime | None:
    """When a backup file was made, from its name; None for anything else."""
    match = _NAME.match(name)
    if match is None:
        return None
    try:
        naive = datetime.strptime(match.group(1), "%Y%m%d-%H%M%S")
    except ValueError:
        return None
    return naive.replace(tzinfo=tz) if tz is not None else naive.astimezone()


# -- integrity ------------------------------------------------------------------------------
SQLITE_HEADER = b"SQLite format 3\x00"


def has_backups(data_dir: Path) -> bool:
    return bool(_backup_files(data_dir, None))


def _is_new(db_path: Path) -> bool:
    """A missing collection, or an empty file with nothing beside it to lose, is a new one
    (SQLite itself leaves an empty file until the first commit reaches it). An empty file
    next to backups, or with nothing in its -wal to replay, is not: that is a collection
    that was truncated, and treating it as new would start backing up an empty one."""
    if not db_path.exists():
        return True
    if db_path.stat().st_size > 0:
        return False
    wal = Path(f"{db_path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return False  # its pages are still in the -wal; SQLite replays them
    return db_path.name == DB_FILENAME and not has_backups(db_path.parent)


def check_integrity(db_path: Path, *, quick: bool = False) -> str | None:
    """``PRAGMA integrity_check`` (or the faster ``quick_check``): None when the database is
    sound or does not exist yet, else what is wrong with it, in a line or two.

    A disk that cannot be written or is full is not damage: that raises the
    :class:`~app.core.disk.ReadOnlyDiskError` or :class:`~app.core.disk.DiskFullError`
    that says what to do instead."""
    if _is_new(db_path):
        return None
    size = db_path.stat().st_size
    wal = Path(f"{db_path}-wal")
    if size == 0 and not (wal.exists() and wal.stat().st_size > 0):
        return "the file is empty"
    if size > 0:
        with db_path.open("rb") as fh:
            if fh.read(16) != SQLITE_HEADER:
                return "not an SQLite database"
    pragma = "quick_check" if quick else "integrity_check"
    try:
        with closing(sqlite3.connect(db_path, timeout=5)) as conn:
            rows = [str(r[0]) for r in conn.execute(f"PRAGMA {pragma}").fetchmany(3)]
    except sqlite3.Error as exc:
        trouble = disk.environment_problem(exc, db_path.parent)
        if trouble is not None:
            raise trouble from exc
        return str(exc)
    if rows == ["ok"]:
        return None
    return "; ".join(rows) or "the integrity check returned nothing"


def ensure_intact(db_path: Path, *, quick: bool = True) -> None:
    """Raise :class:`CorruptCollectionError` if the collection at ``db_path`` is damaged."""
    problem = check_integrity(db_path, quick=quick)
    if problem is not None:
        raise CorruptCollectionError(db_path, problem)


def holds_data(path: Path) -> bool:
    """A collection or backup with at least one card: what is worth keeping or restoring."""
    return bool(_count_cards(path))


# -- making and listing backups ----------------------------------------------------------------
def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - not every platform can open a directory
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _online_copy(src_path: Path, dst_path: Path) -> None:
    """Copy ``src_path`` into a fresh standalone file at ``dst_path`` with the backup API,
    then move it into place atomically. On any failure nothing is left at ``dst_path``'s
    temporary name, and ``dst_path`` is untouched."""
    # A name of its own: two backups in the same second (the app's and a command's) must
    # not delete each other's half-written file.
    tmp = dst_path.with_name(f".{dst_path.name}.{os.getpid()}-{secrets.token_hex(4)}.part")
    try:
        with (
            closing(sqlite3.connect(src_path, timeout=5)) as src,
            closing(sqlite3.connect(tmp)) as dst,
        ):
            src.backup(dst)
            # One self-contained file: no -wal beside a backup.
            dst.execute("PRAGMA journal_mode=DELETE").fetchall()
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, dst_path)
        _fsync_dir(dst_path.parent)
    except sqlite3.Error as exc:
        trouble = disk.environment_problem(exc, dst_path.parent)
        if trouble is not None:
            raise trouble from exc
        raise KnownError(f"{src_path}: could not back up the collection: {exc}") from exc
    except OSError as exc:
        raise disk.os_error(exc, dst_path.parent) from exc
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            Path(f"{tmp}-journal").unlink(missing_ok=True)


def create_backup(
    db_path: Path, data_dir: Path, now: datetime, *, tz: tzinfo | None = None, tag: str = ""
) -> Path:
    """Back up the collection at ``db_path`` now; returns the new backup's path."""
    if not db_path.is_file():
        raise NotFoundError(f"{db_path}: there is no collection to back up yet")
    folder = backups_dir(data_dir)
    disk.ensure_dir(folder)
    target = folder / backup_name(now, tz, tag)
    _online_copy(db_path, target)
    return target


def _count_cards(path: Path) -> int | None:
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)) as conn:
            row = conn.execute("SELECT count(*) FROM card").fetchone()
            return int(row[0])
    except sqlite3.DatabaseError:
        return None


def _backup_files(data_dir: Path, tz: tzinfo | None) -> list[tuple[datetime, Path]]:
    folder = backups_dir(data_dir)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        created = parse_backup_name(path.name, tz)
        if created is not None and path.is_file():
            found.append((created, path))
    found.sort(key=lambda cp: (cp[0], cp[1].name), reverse=True)
    return found


def list_backups(
    data_dir: Path, *, tz: tzinfo | None = None, with_cards: bool = True
) -> list[BackupInfo]:
    """The backups in the data dir, newest first."""
    return [
        BackupInfo(path, created, path.stat().st_size, _count_cards(path) if with_cards else None)
        for created, path in _backup_files(data_dir, tz)
    ]


def latest_good_backup(data_dir: Path, *, tz: tzinfo | None = None) -> BackupInfo | None:
    """The newest backup that passes the integrity check *and* holds cards: a backup of an
    empty collection (a truncated file that was taken for a new one, say) is never what
    someone restoring wants back."""
    for created, path in _backup_files(data_dir, tz):
        if check_integrity(path) is None:
            cards = _count_cards(path)
            if cards:
                return BackupInfo(path, created, path.stat().st_size, cards)
    return None


# -- rotation -------------------------------------------------------------------------------
def backups_to_keep(
    times: Iterable[datetime],
    now: datetime,
    *,
    tz: tzinfo | None = None,
    daily: int = DAILY,
    weekly: int = WEEKLY,
    monthly: int = MONTHLY,
) -> set[datetime]:
    """Which backup times survive rotation at ``now``.

    Walking from the newest backup to the oldest: everything from today and yesterday is
    kept; after that a backup is kept if it is the newest of its day (up to ``daily``
    days), else the newest of its ISO week (up to ``weekly`` weeks), else the newest of
    its month (up to ``monthly`` months). "Newest of its period" means no backup already
    kept falls in the same or a later period, so the periods never overlap.
    """
    today = _local(now, tz).date()
    yesterday = today - timedelta(days=1)
    left = {"daily": daily, "weekly": weekly, "monthly": monthly}
    far = date.max
    last_day, last_week, last_month = far, far.isocalendar()[:2], (far.year, far.month)
    keep: set[datetime] = set()
    for when in sorted(set(times), reverse=True):
        day = _local(when, tz).date()
        week = day.isocalendar()[:2]
        month = (day.year, day.month)
        if day >= yesterday:
            pass
        elif left["daily"] and day < last_day:
            left["daily"] -= 1
        elif left["weekly"] and week < last_week:
            left["weekly"] -= 1
        elif left["monthly"] and month < last_month:
            left["monthly"] -= 1
        else:
            continue
        keep.add(when)
        last_day, last_week, last_month = day, week, month
    return keep


def prune(data_dir: Path, now: datetime, *, tz: tzinfo | None = None) -> list[Path]:
    """Delete the backups rotation does not keep; returns what was deleted."""
    files = _backup_files(data_dir, tz)
    keep = backups_to_keep((created for created, _ in files), now, tz=tz)
    removed = []
    for created, path in files:
        if created not in keep:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def backup_before(db_path: Path, data_dir: Path, now: datetime, tag: str) -> Path:
    """A copy to go back to before one step that changes many cards (an import), then
    rotation, so that these copies never pile up."""
    path = create_backup(db_path, data_dir, now, tag=tag)
    prune(data_dir, now)
    return path


def maybe_backup(
    db_path: Path,
    data_dir: Path,
    now: datetime,
    *,
    interval: timedelta = BACKUP_INTERVAL,
    tz: tzinfo | None = None,
) -> Path | None:
    """Back up if the newest backup is ``interval`` old (or there is none), then rotate.

    Called at start-up and every half hour of use, on the DB worker so it never races a
    write. Returns the new backup, or None when a recent one already exists, or when the
    collection is empty and a backup holds cards: rotation would push the good backups
    out one by one."""
    files = _backup_files(data_dir, tz)
    if files:
        age = now - files[0][0]
        if timedelta(0) <= age < interval:
            return None
        if not holds_data(db_path) and any(holds_data(path) for _, path in files):
            return None
    path = create_backup(db_path, data_dir, now, tz=tz)
    prune(data_dir, now, tz=tz)
    return path


# -- restoring --------------------------------------------------------------------------------
def _keep_damaged(db_path: Path, data_dir: Path, now: datetime, tz: tzinfo | None) -> Path:
    """Set a damaged collection aside as plain files (the backup API may refuse it)."""
    folder = backups_dir(data_dir)
    disk.ensure_dir(folder)
    stamp = _local(now, tz).strftime("%Y%m%d-%H%M%S")
    target = folder / f"damaged-{stamp}{SUFFIX}"
    copied: list[Path] = []
    try:
        for extra in ("", "-wal"):
            src = Path(f"{db_path}{extra}")
            if src.exists():
                copied.append(Path(f"{target}{extra}"))
                shutil.copyfile(src, copied[-1])
    except OSError as exc:
        for path in copied:  # half a copy is no copy
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
        raise disk.os_error(exc, folder) from exc
    return target


def _room_for_restore(data_dir: Path, backup_path: Path, db_path: Path) -> None:
    """Refuse up front when the disk cannot hold the copy of the current collection and
    the staged backup: failing half-way would only leave clutter."""
    needed = backup_path.stat().st_size
    for extra in ("", "-wal"):
        current = Path(f"{db_path}{extra}")
        if current.exists():
            needed += current.stat().st_size
    needed += 1 << 20  # journals and slack
    free = disk.free_bytes(data_dir)
    if free is not None and free < needed:
        raise disk.DiskFullError(data_dir, needed)


def restore(
    data_dir: Path,
    backup_path: Path,
    *,
    now: datetime | None = None,
    tz: tzinfo | None = None,
    wait: float | None = None,
) -> Path | None:
    """Make ``backup_path`` the collection. The caller closes its store first and opens
    it again afterwards.

    Nobody else may have the collection open meanwhile: the data dir's lock is taken
    exclusively (waiting a few seconds), or the restore is refused with one line, since a
    process still holding the old file would go on committing into it and lose it all.
    The current collection is kept first: as a regular ``…-before-restore`` backup when it
    is sound, or copied aside as ``damaged-….sqlite3`` when it is not. The backup is then
    copied with the backup API into a temporary file next to the collection and renamed
    over it, so at every moment there is one complete collection on disk; if anything
    fails before the rename (a full disk), the current collection is untouched. Returns
    where the previous collection was kept (None if there was none)."""
    backup_path = Path(backup_path)
    if not backup_path.is_file():
        raise NotFoundError(f"{backup_path}: no such backup")
    problem = check_integrity(backup_path)
    if problem is not None:
        raise KnownError(f"{backup_path}: this backup is damaged too ({problem})")
    when = now or datetime.now().astimezone()
    db_path = data_dir / DB_FILENAME
    with lock.exclusively(
        data_dir, doing="restore a backup", wait=lock.WAIT_SECONDS if wait is None else wait
    ):
        _room_for_restore(data_dir, backup_path, db_path)
        kept: Path | None = None
        if db_path.exists():
            if _is_new(db_path):
                pass  # an empty file with nothing to lose
            elif _sound(db_path):
                kept = create_backup(db_path, data_dir, when, tz=tz, tag=BEFORE_RESTORE)
            else:
                kept = _keep_damaged(db_path, data_dir, when, tz)
        staged = data_dir / f".{DB_FILENAME}.restoring"
        _online_copy(backup_path, staged)
        # A leftover -wal belongs to the old file; SQLite would replay it into the new one.
        try:
            for extra in ("-wal", "-shm"):
                Path(f"{db_path}{extra}").unlink(missing_ok=True)
            os.replace(staged, db_path)
        except OSError as exc:
            staged.unlink(missing_ok=True)
            raise disk.os_error(exc, data_dir) from exc
        _fsync_dir(data_dir)
    return kept


def _sound(db_path: Path) -> bool:
    return check_integrity(db_path) is None


def restore_latest_good(
    data_dir: Path, *, now: datetime | None = None, tz: tzinfo | None = None
) -> tuple[BackupInfo, Path | None]:
    """Restore the newest sound backup that holds cards; returns it and where the old
    collection went."""
    good = latest_good_backup(data_dir, tz=tz)
    if good is None:
        raise NotFoundError(f"{backups_dir(data_dir)}: there is no sound backup to restore")
    return good, restore(data_dir, good.path, now=now, tz=tz)
