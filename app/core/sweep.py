"""Clearing what killed runs left behind in the data dir.

Imports stage into ``.import-*``, model installs into ``models/.installing-*``, backups
and recordings write ``*.part`` files and settings a ``.settings-*.json`` before renaming
them into place. A run that is killed leaves them, sometimes hundreds of MB, and nothing
else ever removes them. A run in progress keeps writing into its temporary, so anything
touched within ``max_age`` is left alone: only what nobody has written for that long goes.
An import's staging folder also names the process that made it (``.import-<pid>-*``), and
is kept while that process lives: a preview may stay open for longer than an hour.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from app.model.paths import backups_dir, models_dir, recordings_dir

MAX_AGE_S = 3600.0
_OWNER = re.compile(r"\.import-(\d+)-")


@dataclass
class SweepReport:
    removed: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)  # still fresh: a run may be writing
    failed: list[Path] = field(default_factory=list)  # could not be removed (permissions)


def stale_candidates(data_dir: Path) -> list[Path]:
    """Every temporary of Parley's in ``data_dir``, stale or not."""
    patterns = (
        (data_dir, ".import-*"),
        (data_dir, ".settings-*.json"),
        (models_dir(data_dir), ".installing-*"),
        (backups_dir(data_dir), "*.part"),
        (recordings_dir(data_dir), ".*.part"),
    )
    found: list[Path] = []
    for folder, pattern in patterns:
        try:
            found.extend(sorted(folder.glob(pattern)))
        except OSError:
            continue
    return found


def sweep_stale(
    data_dir: Path, *, max_age_s: float = MAX_AGE_S, now: float | None = None
) -> SweepReport:
    """Remove the temporaries nobody has written to for ``max_age_s`` seconds. Never
    raises for a file it cannot remove: a sweep must not stop the app from starting."""
    now = time.time() if now is None else now
    report = SweepReport()
    for path in stale_candidates(data_dir):
        if path.is_symlink():
            continue  # never ours; never follow it
        try:
            if owner_alive(path) or now - last_written(path) < max_age_s:
                report.kept.append(path)
                continue
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
        except FileNotFoundError:
            continue  # its own run finished and renamed or removed it meanwhile
        except OSError:
            report.failed.append(path)
            continue
        report.removed.append(path)
    return report


def owner_alive(path: Path) -> bool:
    """True when ``path`` names its process and that process is running."""
    match = _OWNER.match(path.name)
    if match is None:
        return False
    pid = int(match.group(1))
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:
        return True  # alive, only not ours to signal
    return True


def last_written(path: Path) -> float:
    """The newest modification time in ``path`` (a folder's files included): a model
    copy in progress changes only the file it writes, not the folder."""
    newest = path.lstat().st_mtime
    if not path.is_dir():
        return newest
    for root, dirs, files in os.walk(path):
        for name in (*dirs, *files):
            try:
                newest = max(newest, os.lstat(os.path.join(root, name)).st_mtime)
            except FileNotFoundError:
                continue
    return newest
