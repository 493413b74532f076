"""One owner per data dir: who may have the collection open, and who may replace it.

Every open ``Store`` holds a *shared* lock on ``.parley.lock`` in the data dir for as long
as it is open, so any number of Parley processes (the app, a CLI import, ``parley score``)
can read and write the collection side by side; SQLite serialises their transactions.
Replacing the file (restoring a backup) and migrating the schema take the lock
*exclusively*, so they wait until nobody has the collection open, and nobody opens it while
they run. A restore under an open process would otherwise let that process go on
committing into the replaced file, and every "saved" write would vanish.

Only one window may own a data dir (two windows would overwrite each other's
``settings.json``): :func:`hold_window` takes a second, non-blocking lock for the life of
the app.

The locks are ``flock`` locks: the kernel drops them when a process dies, so a killed
Parley never leaves a stale lock behind. ``flock`` locks belong to an open file, so within
one process each data dir has one lock file open, shared by every holder; coordinating
work inside a process is the caller's business (the app funnels it through one worker).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from app.core import disk
from app.model.errors import KnownError

LOCK_FILENAME = ".parley.lock"
WINDOW_LOCK_FILENAME = ".parley-window.lock"
# How long a command waits for a restore or a migration in another process to finish.
WAIT_SECONDS = 5.0
# How long opening waits to migrate: another first run may be migrating the same file.
MIGRATION_WAIT_SECONDS = 30.0
_POLL = 0.05


class DataDirBusyError(KnownError):
    """Another Parley process holds the data dir in a way that rules out this operation."""


@dataclass
class _Entry:
    fd: int
    mode: int  # what this process holds at the OS level: LOCK_SH or LOCK_EX
    holders: int = 0
    exclusive: int = 0


_entries: dict[str, _Entry] = {}
_guard = threading.RLock()


def _open_lock_file(path: Path) -> int:
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise disk.os_error(exc, path.parent) from exc


def _flock(fd: int, mode: int, wait: float, busy: Callable[[], KnownError]) -> None:
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            return
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES):
                raise
        if time.monotonic() >= deadline:
            raise busy()
        time.sleep(_POLL)


def _busy_opening(data_dir: Path) -> KnownError:
    return DataDirBusyError(
        f"{data_dir}: another Parley process is restoring or upgrading the collection; "
        "try again when it has finished"
    )


def _busy_replacing(data_dir: Path, doing: str) -> KnownError:
    return DataDirBusyError(
        f"{data_dir}: cannot {doing} while the collection is open in another Parley "
        "process; close it (the app or a running command) and try again"
    )


class DataDirLock:
    """One hold on a data dir's lock; :meth:`release` gives it back (idempotent)."""

    def __init__(self, data_dir: Path, key: str, exclusive: bool) -> None:
        self.data_dir = data_dir
        self._key = key
        self._exclusive = exclusive
        self._released = False

    @property
    def released(self) -> bool:
        return self._released

    def release(self) -> None:
        with _guard:
            if self._released:
                return
            self._released = True
            entry = _entries[self._key]
            entry.holders -= 1
            if self._exclusive:
                entry.exclusive -= 1
            if entry.holders == 0:
                del _entries[self._key]
                os.close(entry.fd)  # drops the flock
            elif entry.exclusive == 0 and entry.mode == fcntl.LOCK_EX:
                fcntl.flock(entry.fd, fcntl.LOCK_SH)
                entry.mode = fcntl.LOCK_SH

    @contextlib.contextmanager
    def exclusive(self, *, wait: float = WAIT_SECONDS, doing: str) -> Iterator[None]:
        """Hold the lock exclusively for the ``with`` block (say, a migration)."""
        extra = acquire(self.data_dir, exclusive=True, wait=wait, doing=doing)
        try:
            yield
        finally:
            extra.release()


def acquire(
    data_dir: Path, *, exclusive: bool = False, wait: float = WAIT_SECONDS, doing: str = "open"
) -> DataDirLock:
    """Take the data dir's lock, shared (to have the collection open) or exclusive (to
    replace or migrate it), waiting up to ``wait`` seconds for other processes."""
    data_dir = Path(data_dir)
    key = str(data_dir.resolve())
    with _guard:
        entry = _entries.get(key)
        if entry is None:
            fd = _open_lock_file(data_dir / LOCK_FILENAME)
            mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
            try:
                _flock(fd, mode, wait, _busy_for(data_dir, exclusive, doing))
            except BaseException:
                os.close(fd)
                raise
            entry = _entries[key] = _Entry(fd, mode)
        elif exclusive and entry.mode == fcntl.LOCK_SH:
            # Converting drops the shared lock first (flock is not atomic here); whatever
            # happens, this process ends up holding the lock again.
            try:
                _flock(entry.fd, fcntl.LOCK_EX, wait, _busy_for(data_dir, True, doing))
                entry.mode = fcntl.LOCK_EX
            except BaseException:
                fcntl.flock(entry.fd, fcntl.LOCK_SH)
                raise
        entry.holders += 1
        if exclusive:
            entry.exclusive += 1
    return DataDirLock(data_dir, key, exclusive)


def _busy_for(data_dir: Path, exclusive: bool, doing: str) -> Callable[[], KnownError]:
    if exclusive:
        return lambda: _busy_replacing(data_dir, doing)
    return lambda: _busy_opening(data_dir)


@contextlib.contextmanager
def exclusively(data_dir: Path, *, doing: str, wait: float = WAIT_SECONDS) -> Iterator[None]:
    """``with exclusively(data_dir, doing="restore a backup"):`` nobody else has it open."""
    held = acquire(data_dir, exclusive=True, wait=wait, doing=doing)
    try:
        yield
    finally:
        held.release()


# -- the window's own lock ---------------------------------------------------------------
class WindowLock:
    def __init__(self, fd: int) -> None:
        self._fd: int | None = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def hold_window(data_dir: Path) -> WindowLock:
    """Claim the data dir for this process's window, or say which process has it."""
    disk.ensure_dir(data_dir)
    path = data_dir / WINDOW_LOCK_FILENAME
    fd = _open_lock_file(path)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno not in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES):
            raise disk.os_error(exc, data_dir) from exc
        raise DataDirBusyError(
            f"{data_dir}: Parley is already open in another window{_owner(path)}; "
            "switch to that window, or close it first"
        ) from None
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
    except OSError:
        pass  # the pid is only for the message; a full disk must not stop the app here
    return WindowLock(fd)


def _owner(path: Path) -> str:
    try:
        pid = int(path.read_text().strip())
    except (OSError, ValueError):
        return ""
    return f" (process {pid})"
