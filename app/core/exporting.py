"""Writing a deck to a file without ever leaving half a file behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sqlalchemy.orm import Session

from app.core.decks import export_deck
from app.formats import write_deck
from app.formats.native import media_folder
from app.model.errors import KnownError


def export_to_file(
    session: Session,
    deck_name: str,
    path: Path,
    fmt: str | None = None,
    media_root: Path | None = None,
    *,
    with_scheduling: bool = False,
) -> int:
    """Write ``deck_name`` to ``path`` (format from ``fmt`` or the suffix); returns the
    number of cards. The file is written beside the target and renamed into place. Media
    the cards refer to are taken from ``media_root`` (the data dir's media folder): a
    package carries them inside, a native deck in ``<name>.media`` beside the file.
    Decks below ``deck_name`` go too; ``with_scheduling`` carries the cards' schedule
    (into Anki packages)."""
    data = export_deck(session, deck_name, with_scheduling=with_scheduling)
    if media_root is not None:
        for card in data.cards:
            for name in [*card.media, *card.images, *card.back_images]:
                if (media_root / name).is_file():
                    data.media_files[name] = media_root / name
    if not path.parent.is_dir():
        raise KnownError(f"{path}: folder {path.parent} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write_deck(data, Path(tmp), fmt=fmt or format_for(path), media_dir=media_folder(path))
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return len(data.cards)


def format_for(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    if suffix == ".apkg":
        return "apkg"
    if suffix == ".json":
        return "json"
    return "native"
