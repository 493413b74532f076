"""What commands share so that a failure is one line and writes go to files only.

``check_output`` refuses an output path that is a folder, a symbolic link or a device
before any work starts (writing replaces the target by a renamed temporary file, which
would replace the link or the device node itself). ``one_line_errors`` turns what the
operating system or SQLite says about a full or read-only disk into one line. ``shown``
prints a path whatever its bytes.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.model.errors import KnownError

_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}


def shown(path: str | os.PathLike[str]) -> str:
    """A path as printable text: bytes that are not UTF-8 become U+FFFD."""
    return os.fsencode(path).decode("utf-8", "replace")


def check_output(path: Path) -> Path:
    """``path`` when it is absent or a regular file in an existing folder; else a
    ``KnownError`` naming it."""
    try:
        st = path.lstat()
    except FileNotFoundError:
        st = None
    except OSError as err:
        raise KnownError(f"{shown(path)}: cannot be written ({err.strerror or err}).") from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise KnownError(f"{shown(path)}: is a folder; give a file name to write.")
        if stat.S_ISLNK(st.st_mode):
            raise KnownError(
                f"{shown(path)}: is a symbolic link; Parley writes only to regular files."
            )
        if not stat.S_ISREG(st.st_mode):
            raise KnownError(
                f"{shown(path)}: is not a regular file (a device or a pipe); Parley writes "
                "only to regular files."
            )
    folder = path.parent
    if not folder.is_dir():
        raise KnownError(f"{shown(path)}: folder {shown(folder)} does not exist.")
    return path


def os_problem(err: OSError) -> str:
    """What an ``OSError`` means for the user, naming the file it happened to."""
    where = shown(err.filename) if err.filename else "Parley"
    if err.errno in _FULL:
        return f"{where}: the disk is full; nothing was changed. Free some space and try again."
    if err.errno in _READ_ONLY:
        return f"{where}: cannot be written (read-only or not yours); nothing was changed."
    return f"{where}: {err.strerror or err}"


@contextmanager
def one_line_errors(data_dir: Path) -> Iterator[None]:
    """Environment failures inside the block become a ``KnownError`` of one line."""
    try:
        yield
    except KnownError:
        raise
    except OSError as err:
        raise KnownError(os_problem(err)) from err
    except Exception as err:
        # SQLite reports a full or read-only disk through SQLAlchemy; only those two are
        # environment errors, anything else is a bug and keeps its traceback.
        text = str(getattr(err, "orig", err))
        if "database or disk is full" in text:
            raise KnownError(
                f"{shown(data_dir)}: the disk is full; nothing was changed. "
                "Free some space and try again."
            ) from err
        if "readonly database" in text or "read-only" in text:
            raise KnownError(
                f"{shown(data_dir)}: the collection cannot be written (read-only); "
                "nothing was changed."
            ) from err
        raise
