"""Importing a deck file into the collection, all or nothing.

``prepare_import`` parses the file into ``DeckData`` with its media staged in a private
folder inside the data dir (so a preview can show it before anything changes);
``commit_import`` first puts the media into the data dir's ``media/`` folder, then writes
the cards in one transaction, so a committed card never names a file that is not there;
if the transaction fails, the files it brought are taken out again. Any failure leaves
the collection exactly as it was.

Media files are shared by every deck in one folder, by name, and a name is never given
to two different files: a staged file whose name is taken by a file with other bytes is
stored as ``<stem>-<sha256 prefix><ext>`` and the cards that play it are pointed at that
name. Files are linked into place, which fails rather than replaces when the name exists.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import hashlib
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from app.core import backups, disk
from app.core.clock import utcnow
from app.core.deck_import import already_imported, import_deck
from app.core.store import Store
from app.core.views import ImportSummary
from app.formats import read_deck
from app.model.deckdata import DeckData, ImportMode
from app.model.errors import DeckFormatError, KnownError
from app.model.paths import media_dir

Progress = Callable[[int, int], None]


@dataclass
class PreparedImport:
    path: Path
    data: DeckData
    staging: Path
    with_scheduling: bool = False
    digest: str | None = None  # import_key: the file's sha256, and how it was read

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def prepare_import(
    data_dir: Path,
    path: Path,
    *,
    with_scheduling: bool = False,
    mapping: dict[str, int] | None = None,
) -> PreparedImport:
    if not path.is_file():
        raise DeckFormatError(path, "no such file" if not path.exists() else "not a file")
    data_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".import-{os.getpid()}-", dir=data_dir))
    try:
        with no_cycle_collection():
            data = read_deck(
                path, staging_dir=staging, with_scheduling=with_scheduling, mapping=mapping
            )
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    digest = import_key(file_digest(path), with_scheduling)
    return PreparedImport(path, data, staging, with_scheduling, digest)


def commit_import(
    store: Store,
    prepared: PreparedImport,
    *,
    deck_name: str | None = None,
    mode: ImportMode = "update",
    progress: Progress | None = None,
    backup: bool = False,
) -> ImportSummary:
    """Write a prepared import; the staging folder is removed whatever happens.
    ``backup`` first makes a backup to go back to (the GUI and the CLI always ask)."""
    placed: list[Path] = []
    try:
        made = None
        if backup:
            made = backups.backup_before(
                store.db_path, store.data_dir, utcnow(), backups.BEFORE_IMPORT
            )
        folder = media_dir(store.data_dir)
        try:
            renamed = place_media(prepared.data.media_files, folder, placed)
        except OSError as exc:
            raise KnownError(
                f"{exc.filename or folder}: cannot store the deck's media "
                f"({exc.strerror or exc}); nothing was imported"
            ) from exc
        point_cards_at(prepared.data, renamed)
        try:
            with no_cycle_collection(), store.transaction(immediate=True) as conn:
                summary = import_deck(
                    conn,
                    prepared.data,
                    deck_name=deck_name,
                    mode=mode,
                    with_scheduling=prepared.with_scheduling,
                    progress=progress,
                    file_digest=prepared.digest,
                )
        except sqlite3.OperationalError as exc:
            # A full or read-only disk, or another program holding the collection past
            # the busy timeout: one line that says which (the transaction is rolled back).
            raise disk.sqlite_error(
                exc, store.db_path, "import the deck (nothing was imported)"
            ) from exc
        return replace(summary, backup=made)
    except BaseException:
        for path in placed:  # nothing committed refers to them
            path.unlink(missing_ok=True)
        raise
    finally:
        prepared.discard()


@contextlib.contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Hold off Python's cycle collector while a deck is read or written. A big deck
    makes hundreds of thousands of objects that all stay alive, and the collector
    walked them again and again finding nothing: a fifth of reading a 24,000-card
    package. Reference counting frees everything as usual meanwhile; only garbage
    cycles wait until the end. The collector is turned back on only if it was on."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def place_media(staged: dict[str, Path], folder: Path, placed: list[Path]) -> dict[str, str]:
    """Put each staged file into ``folder`` under its own name, or under a name derived
    from its content when that name holds other bytes; never replaces a file. Returns
    {original name: stored name} for the files that had to be renamed, and appends each
    file it created to ``placed`` (an identical file already there is simply reused)."""
    if staged:
        folder.mkdir(parents=True, exist_ok=True)
    renamed: dict[str, str] = {}
    for name, source in staged.items():
        digest = file_digest(source)
        for candidate in candidate_names(name, digest):
            target = folder / candidate
            if _link_new(source, target):
                placed.append(target)
                break
            if target.is_file() and file_digest(target) == digest:
                break  # the same bytes are already there, under this name
        else:  # pragma: no cover - every candidate name is taken by other bytes
            raise OSError(errno.EEXIST, "no free media file name", str(folder / name))
        if candidate != name:
            renamed[name] = candidate
    return renamed


def point_cards_at(data: DeckData, renamed: dict[str, str]) -> None:
    """Rewrite the cards' media references (and the staged files' keys) to stored names."""
    if not renamed:
        return
    for card in data.cards:
        card.media = [renamed.get(name, name) for name in card.media]
        card.images = [renamed.get(name, name) for name in card.images]
        card.back_images = [renamed.get(name, name) for name in card.back_images]
    data.media_files = {renamed.get(n, n): path for n, path in data.media_files.items()}


def candidate_names(name: str, digest: str) -> list[str]:
    """The name itself, then ``<stem>-<digest prefix><ext>`` with ever longer prefixes;
    every one at most 255 bytes, as file systems allow."""
    stem, ext = os.path.splitext(name)
    out = [name]
    for width in (12, 24, 64):
        tail = f"-{digest[:width]}{ext}"
        room = 255 - len(tail.encode("utf-8"))
        short = stem.encode("utf-8")[:room].decode("utf-8", "ignore")
        out.append(f"{short}{tail}")
    return list(dict.fromkeys(out))


def import_key(digest: str, with_scheduling: bool) -> str:
    """What an import of a file with sha256 ``digest`` is recognised by next time: the
    bytes, and whether scheduling came with them, since a file read without its
    scheduling and review history brings them when read again with it."""
    if not with_scheduling:
        return digest
    return hashlib.sha256(f"{digest}:with-scheduling".encode()).hexdigest()


def file_digest(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _link_new(source: Path, target: Path) -> bool:
    """Create ``target`` with ``source``'s bytes unless it exists; True when created."""
    try:
        os.link(source, target)
        return True
    except FileExistsError:
        return False
    except OSError:
        pass  # a file system without hard links: copy, still refusing an existing name
    try:
        with source.open("rb") as src, target.open("xb") as dst:
            shutil.copyfileobj(src, dst)
            dst.flush()
            os.fsync(dst.fileno())
    except FileExistsError:
        return False
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return True


def import_path(
    store: Store,
    path: Path,
    *,
    deck_name: str | None = None,
    mode: ImportMode = "update",
    with_scheduling: bool = False,
    backup: bool = False,
) -> ImportSummary:
    """Import the deck file at ``path``; ``backup`` as for ``commit_import`` (a file
    that is skipped as already imported, or cannot be read, makes no backup)."""
    if mode == "update" and path.is_file():
        # The same bytes as this tree's last import, and nobody changed the tree since:
        # reading the file again would change nothing.
        digest = import_key(file_digest(path), with_scheduling)
        with store.transaction() as conn:
            done = already_imported(conn, digest, deck_name)
        if done is not None:
            return done
    prepared = prepare_import(store.data_dir, path, with_scheduling=with_scheduling)
    return commit_import(store, prepared, deck_name=deck_name, mode=mode, backup=backup)
