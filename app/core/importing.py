"""Importing a deck file into the collection, all or nothing.

The file is parsed into ``DeckData`` with its media staged in a private folder inside
the data dir; the cards go in within one transaction, and only after that commits are
the media moved into place. Any failure leaves the collection exactly as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from app.core.decks import ImportMode, import_deck
from app.core.errors import DeckFormatError
from app.core.paths import media_dir
from app.core.store import Store
from app.core.views import ImportSummary


def import_path(
    store: Store,
    path: Path,
    *,
    deck_name: str | None = None,
    mode: ImportMode = "update",
    with_scheduling: bool = False,
) -> ImportSummary:
    from app.formats import read_deck

    if not path.is_file():
        raise DeckFormatError(path, "no such file" if not path.exists() else "not a file")
    staging = Path(tempfile.mkdtemp(prefix=".import-", dir=store.data_dir))
    try:
        data = read_deck(path, staging_dir=staging, with_scheduling=with_scheduling)
        with store.session() as session:
            summary = import_deck(
                session, data, deck_name=deck_name, mode=mode, with_scheduling=with_scheduling
            )
        target = media_dir(store.data_dir)
        if data.media_files:
            target.mkdir(parents=True, exist_ok=True)
        for name, staged in data.media_files.items():
            os.replace(staged, target / name)
        return summary
    finally:
        shutil.rmtree(staging, ignore_errors=True)
