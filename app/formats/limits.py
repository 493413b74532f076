"""Limits that keep a hostile or broken deck file from exhausting memory or disk, and the
rules for media file names coming from such files.

The numbers are generous for real decks (Anki's own shared decks with audio stay far
below them) and small enough that a crafted file fails fast with a clear message.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from app.model.errors import DeckFormatError

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB

# Everything unpacked from one package: collection plus media.
MAX_TOTAL_UNPACKED = 2 * GIB
# Members of one zip package.
MAX_ZIP_MEMBERS = 50_000
# Members this much bigger than their compressed bytes, and big, are treated as a bomb.
MAX_COMPRESSION_RATIO = 200
RATIO_CHECK_ABOVE = 16 * MIB
# One note field, CSV cell or TOML string.
MAX_FIELD_BYTES = 1 * MIB
# Text deck files (CSV, TOML, JSON) are read whole.
MAX_TEXT_FILE_BYTES = 256 * MIB

# Characters that Anki strips from media names and no file system should see.
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')


def human_size(size: int) -> str:
    for unit, scale in (("GiB", GIB), ("MiB", MIB), ("KiB", KIB)):
        if size >= scale:
            return f"{size / scale:g} {unit}"
    return f"{size} bytes"


def check_field_size(text: str, path: Path, where: str) -> None:
    # A str never takes fewer UTF-8 bytes than characters, nor more than four per one.
    if len(text) * 4 <= MAX_FIELD_BYTES:
        return
    if len(text) > MAX_FIELD_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_FIELD_BYTES:
        raise DeckFormatError(
            path, f"a field is larger than the {human_size(MAX_FIELD_BYTES)} limit", where
        )


def media_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be used as a media file name, or None when it can.

    Names are used as file names in the data dir, so anything that could leave the
    media folder (separators, ``..``, drive letters) or that some file system refuses
    is rejected rather than rewritten: a rewritten name would no longer match the
    ``[sound:...]`` references in the cards.
    """
    if not name or not name.strip():
        return "has an empty media file name"
    if name in (".", "..") or name.startswith(".."):
        return f"media file name {name!r} would leave the media folder"
    if _UNSAFE_NAME.search(name):
        return f"media file name {name!r} contains a path separator or a forbidden character"
    if len(name.encode("utf-8", "surrogatepass")) > 255:
        return "media file name is longer than 255 bytes"
    return None


def check_media_name(name: str, path: Path, where: str) -> None:
    problem = media_name_problem(name)
    if problem is not None:
        raise DeckFormatError(path, problem, where)


def zip_member_problem(name: str) -> str | None:
    """Why a zip member name is refused: absolute, ``..`` or backslash paths."""
    if "\\" in name:
        return "contains a backslash"
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "is an absolute path"
    if ".." in name.split("/"):
        return "climbs out of its folder with '..'"
    if "\x00" in name:
        return "contains a NUL character"
    return None


class Staging:
    """Where a reader puts media bytes for the caller to move into the data dir.

    The folder is the caller's (``staging_dir``); when none is given one is created in
    the system temp dir on first use and the caller owns it from then on. Files are
    stored under sanitized numbered names, so a media name never becomes a path here.
    """

    def __init__(self, staging_dir: Path | None) -> None:
        self._dir = staging_dir
        self._count = 0

    def new_path(self, name: str) -> Path:
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="parley-media-"))
        self._dir.mkdir(parents=True, exist_ok=True)
        self._count += 1
        suffix = Path(name).suffix
        if not re.fullmatch(r"\.[A-Za-z0-9]{1,10}", suffix):
            suffix = ""
        return self._dir / f"media-{self._count:05d}{suffix.lower()}"
