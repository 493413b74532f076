"""Deck files in and out: Parley's TOML (and JSON), CSV/TSV and Anki packages.

``read_deck`` picks a reader from the file's first bytes and its extension and returns
``DeckData``; ``write_deck`` writes one. Readers never touch the database and never
render deck HTML. Every failure is a ``DeckFormatError`` naming the file and, where it
applies, the line, card or note.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from app.formats.zipsafe import SQLITE_MAGIC, ZIP_MAGIC, describe_bytes
from app.model.deckdata import DeckData
from app.model.errors import DeckFormatError

Format = Literal["native", "json", "csv", "apkg"]
FORMATS: tuple[Format, ...] = ("native", "json", "csv", "apkg")
_SUFFIXES: dict[str, Format] = {
    ".toml": "native",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".apkg": "apkg",
    ".colpkg": "apkg",
}


def detect_format(path: Path) -> Format:
    """The format of a deck file, from its first bytes where they tell, else its suffix."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(64)
    except OSError as exc:
        raise DeckFormatError(path, f"cannot be read ({exc.strerror or exc})") from None
    if not head:
        raise DeckFormatError(path, "is empty")
    if head.startswith(ZIP_MAGIC):
        return "apkg"
    suffix = path.suffix.lower()
    if suffix in (".apkg", ".colpkg"):
        return "apkg"  # the package reader explains what the file really is
    if head.startswith(SQLITE_MAGIC):
        raise DeckFormatError(
            path, "is a bare SQLite database; in Anki, use File > Export to make an .apkg"
        )
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return "json"
    if describe_bytes(head) != "text":
        raise DeckFormatError(
            path, f"is not a deck file Parley knows; it looks like {describe_bytes(head)}"
        )
    raise DeckFormatError(
        path, "has an unknown extension; use .toml, .json, .csv, .tsv, .txt or .apkg"
    )


def read_deck(
    path: Path,
    *,
    fmt: Format | None = None,
    staging_dir: Path | None = None,
    with_scheduling: bool = False,
    mapping: dict[str, int] | None = None,
) -> DeckData:
    """Read any deck file. Media are copied into ``staging_dir`` (or a new temporary
    folder), which the caller owns. ``with_scheduling`` applies to Anki packages,
    ``mapping`` (role -> column from 0) to CSV."""
    path = Path(path)
    fmt = fmt or detect_format(path)
    if fmt == "apkg":
        from app.formats.apkg import read_apkg

        return read_apkg(path, with_scheduling=with_scheduling, staging_dir=staging_dir)
    if fmt == "csv":
        from app.formats.csvdeck import read_csv

        return read_csv(path, mapping).deck
    if fmt in ("native", "json"):
        from app.formats.native import parse_native, parse_native_json, stage_media
        from app.formats.textfile import read_text

        text = read_text(path)
        deck = parse_native_json(text, path) if fmt == "json" else parse_native(text, path)
        stage_media(deck, path, staging_dir)
        return deck
    raise DeckFormatError(path, f"unknown deck format {fmt!r}")


def write_deck(
    deck: DeckData, path: Path, fmt: str | None = None, *, media_dir: Path | None = None
) -> None:
    """Write a deck as ``fmt`` ("native", "json", "csv" or "apkg"); without ``fmt`` the
    suffix decides, and anything unknown is native TOML. Native decks put their media in
    ``media_dir`` (default ``<stem>.media`` beside ``path``); packages carry them inside;
    CSV keeps only the ``[sound:...]`` references."""
    path = Path(path)
    chosen = fmt or _SUFFIXES.get(path.suffix.lower(), "native")
    if chosen in ("toml",):
        chosen = "native"
    if chosen == "native":
        from app.formats.native import write_native

        write_native(deck, path, media_dir=media_dir)
    elif chosen == "json":
        from app.formats.native import write_native_json

        write_native_json(deck, path, media_dir=media_dir)
    elif chosen == "csv":
        from app.formats.csvdeck import write_csv

        write_csv(deck, path)
    elif chosen == "apkg":
        from app.formats.apkg_write import write_apkg

        write_apkg(deck, path)
    else:
        raise ValueError(f"unknown deck format {fmt!r}; use one of {', '.join(FORMATS)}")


__all__ = ["FORMATS", "Format", "detect_format", "read_deck", "write_deck"]
