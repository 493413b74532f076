"""Importing a deck file into the collection, all or nothing.

``prepare_import`` parses the file into ``DeckData`` with its media staged in a private
folder inside the data dir (so a preview can show it before anything changes);
``commit_import`` puts the cards in within one transaction and only after that commits
moves the media into place. Any failure leaves the collection exactly as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.core.deckdata import DeckData, ImportMode
from app.core.decks import import_deck
from app.core.errors import DeckFormatError
from app.core.paths import media_dir
from app.core.store import Store
from app.core.views import ImportSummary

Progress = Callable[[int, int], None]


@dataclass
class PreparedImport:
    path: Path
    data: DeckData
    staging: Path
    with_scheduling: bool = False

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def prepare_import(
    data_dir: Path,
    path: Path,
    *,
    with_scheduling: bool = False,
    mapping: dict[str, int] | None = None,
) -> PreparedImport:
    from app.formats import read_deck

    if not path.is_file():
        raise DeckFormatError(path, "no such file" if not path.exists() else "not a file")
    data_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".import-", dir=data_dir))
    try:
        data = read_deck(
            path, staging_dir=staging, with_scheduling=with_scheduling, mapping=mapping
        )
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return PreparedImport(path, data, staging, with_scheduling)


def commit_import(
    store: Store,
    prepared: PreparedImport,
    *,
    deck_name: str | None = None,
    mode: ImportMode = "update",
    progress: Progress | None = None,
) -> ImportSummary:
    """Write a prepared import; the staging folder is removed whatever happens."""
    try:
        with store.session() as session:
            summary = import_deck(
                session,
                prepared.data,
                deck_name=deck_name,
                mode=mode,
                with_scheduling=prepared.with_scheduling,
                progress=progress,
            )
        target = media_dir(store.data_dir)
        if prepared.data.media_files:
            target.mkdir(parents=True, exist_ok=True)
        for name, staged in prepared.data.media_files.items():
            os.replace(staged, target / name)
        return summary
    finally:
        prepared.discard()


def import_path(
    store: Store,
    path: Path,
    *,
    deck_name: str | None = None,
    mode: ImportMode = "update",
    with_scheduling: bool = False,
) -> ImportSummary:
    prepared = prepare_import(store.data_dir, path, with_scheduling=with_scheduling)
    return commit_import(store, prepared, deck_name=deck_name, mode=mode)
