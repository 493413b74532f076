"""Where Parley keeps the user's collection."""

from __future__ import annotations

import os
from pathlib import Path

from app.model.errors import KnownError

APP_NAME = "parley"
DATA_DIR_ENV = "PARLEY_DATA_DIR"
CACHE_DIR_ENV = "PARLEY_CACHE_DIR"
DB_FILENAME = "collection.sqlite3"


def resolve_data_dir(option: str | os.PathLike[str] | None = None) -> Path:
    """``--data-dir`` wins, then ``$PARLEY_DATA_DIR``, then the platform's user data dir.

    An empty ``--data-dir`` is refused rather than read as "not given": a script whose
    variable came out empty must not quietly work on the real collection."""
    if option is not None and not os.fspath(option).strip():
        raise KnownError(
            '--data-dir "": the data folder is empty; name a folder, or leave the option '
            f"out to use ${DATA_DIR_ENV} or the default"
        )
    chosen = option or os.environ.get(DATA_DIR_ENV) or _platform_dir("user_data_dir")
    return Path(chosen).expanduser().resolve()


def media_dir(data_dir: Path) -> Path:
    return data_dir / "media"


def recordings_dir(data_dir: Path) -> Path:
    return data_dir / "recordings"


def models_dir(data_dir: Path) -> Path:
    return data_dir / "models"


def backups_dir(data_dir: Path) -> Path:
    return data_dir / "backups"


def logs_dir(data_dir: Path) -> Path:
    return data_dir / "logs"


def tts_cache_dir(data_dir: Path) -> Path:
    return data_dir / "cache" / "tts"


def cache_dir() -> Path:
    """Files Parley derives from what is installed and can make again (the int8 copy of
    a Whisper model): per user and machine rather than per collection. ``$PARLEY_CACHE_DIR``
    or the platform's user cache dir."""
    chosen = os.environ.get(CACHE_DIR_ENV) or _platform_dir("user_cache_dir")
    return Path(chosen).expanduser().resolve()


def _platform_dir(kind: str) -> str:
    """The platform's folder of ``kind`` for Parley. platformdirs is imported only when
    no folder was named: 9 ms of every command's start-up otherwise (issue 15)."""
    import platformdirs

    return str(getattr(platformdirs, kind)(APP_NAME))
