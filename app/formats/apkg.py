"""Reading Anki packages (``.apkg``, ``.colpkg``) into ``DeckData``.

A package is a zip holding a collection and numbered media files. Current packages
(Anki 2.1.50+) hold ``collection.anki21b`` — zstd-compressed SQLite, schema 18 — with a
zstd-compressed protobuf media list and zstd-compressed media; they also hold a dummy
``collection.anki2`` that only says "please update". Older ones hold ``collection.anki21``
or ``collection.anki2`` (schema 11) and a JSON media map. The newest collection wins.

Fields are reduced to plain text (see ``htmltext``): nothing from the deck is rendered,
fetched or run. Only the media that cards play (``[sound:...]``) or show (``<img>`` of a
file in the package) are staged. Every card keeps the full path of its deck
(``Parent::Child``); a ``.colpkg`` is a whole collection, read as all of its decks.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from app.formats import protobuf
from app.formats.anki_cards import NoteConverter
from app.formats.anki_collection import AnkiCollection, CollectionReader
from app.formats.htmltext import html_to_text
from app.formats.limits import MIB, Staging, check_media_name
from app.formats.zipsafe import ZSTD_MAGIC, SafeZip
from app.model.deckdata import CardData, DeckData
from app.model.errors import DeckFormatError

# Newest first: (member, zstd-compressed).
COLLECTION_MEMBERS = (
    ("collection.anki21b", True),
    ("collection.anki21", False),
    ("collection.anki2", False),
)
MAX_MEDIA_MAP = 64 * MIB
_UPDATE_NOTICE = "please update to the latest anki version"


def read_apkg(
    path: Path, *, with_scheduling: bool = False, staging_dir: Path | None = None
) -> DeckData:
    """Read an Anki package. Media the cards play are copied into ``staging_dir`` (a
    temporary folder is made when it is None); the caller owns those files.
    Scheduling is carried over only when ``with_scheduling`` is true."""
    path = Path(path)
    with SafeZip(path) as package, tempfile.TemporaryDirectory(prefix="parley-apkg-") as tmp:
        member, compressed = _pick_collection(package)
        db_path = Path(tmp) / "collection.sqlite"
        if compressed and package.head(member, 4) != ZSTD_MAGIC:
            raise DeckFormatError(path, "is not zstd-compressed", f"member {member!r}")
        package.copy_to(member, db_path, zstd=compressed)
        collection = CollectionReader(db_path, path, member).read(with_scheduling=with_scheduling)
        if not compressed and _is_update_notice(collection):
            raise DeckFormatError(
                path,
                "holds only a placeholder collection asking for a newer Anki; "
                "export it again from Anki",
                f"member {member!r}",
            )
        whole_collection = path.suffix.lower() == ".colpkg"
        name, description = _deck_name(collection, path)
        deck = DeckData(name=name, description=description)
        converter = NoteConverter(
            collection,
            path,
            deck,
            with_scheduling=with_scheduling,
            keep_default_deck=whole_collection,
        )
        seen: set[str] = set()
        for note in collection.notes:
            if note.guid in seen:
                continue  # Anki would merge it into the earlier note too.
            seen.add(note.guid)
            deck.cards.extend(converter.convert(note))
        for card in deck.cards:
            if card.deck == deck.name:
                card.deck = ""  # the package's own deck
        deck.personas = list(converter.personas.values())
        deck.media_files = _stage_media(package, path, deck.cards, compressed, Staging(staging_dir))
    return deck


def _pick_collection(package: SafeZip) -> tuple[str, bool]:
    for member, compressed in COLLECTION_MEMBERS:
        if package.has(member):
            return member, compressed
    raise DeckFormatError(
        package.path,
        "has no Anki collection inside (no collection.anki21b, collection.anki21 or "
        "collection.anki2); is it really an Anki package?",
    )


def _is_update_notice(collection: AnkiCollection) -> bool:
    if len(collection.notes) != 1:
        return False
    text = " ".join(collection.notes[0].fields).lower()
    return _UPDATE_NOTICE in text


def _deck_name(collection: AnkiCollection, path: Path) -> tuple[str, str]:
    counts: dict[int, int] = {}
    for note in collection.notes:
        for card in note.cards:
            counts[card.deck_id] = counts.get(card.deck_id, 0) + 1
    deck = None
    if counts:
        deck = collection.decks.get(max(counts, key=lambda d: (counts[d], -d)))
    if deck is None:
        return path.stem, ""
    top = deck.name.split("::")[0].strip()
    if not top or top == "Default":
        return path.stem, ""
    top_deck = next((d for d in collection.decks.values() if d.name == top), deck)
    return top, html_to_text(top_deck.description).text


def _media_map(package: SafeZip, path: Path, compressed: bool) -> dict[str, str]:
    """Media name -> zip member holding its bytes."""
    if not package.has("media"):
        return {}
    raw = package.read("media", zstd=compressed, limit=MAX_MEDIA_MAP)
    where = "member 'media'"
    out: dict[str, str] = {}
    if compressed:
        try:
            entries = [v for n, v in protobuf.fields(raw) if n == 1 and isinstance(v, bytes)]
            for index, entry in enumerate(entries):
                name = protobuf.first_str(entry, 1)
                zip_name = protobuf.first(entry, 255)
                member = str(zip_name) if isinstance(zip_name, int) else str(index)
                check_media_name(name, path, f"media entry {member}")
                out[name] = member
        except protobuf.ProtobufError as exc:
            raise DeckFormatError(path, f"has an unreadable media list ({exc})", where) from None
        return out
    try:
        mapping = json.loads(raw.decode("utf-8")) if raw.strip() else {}
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise DeckFormatError(path, "has an unreadable media list (not JSON)", where) from None
    if not isinstance(mapping, dict):
        raise DeckFormatError(path, "has an unreadable media list (not a JSON object)", where)
    for member, name in mapping.items():
        if not isinstance(name, str):
            raise DeckFormatError(path, "media name is not text", f"media entry {member}")
        check_media_name(name, path, f"media entry {member}")
        out[name] = str(member)
    return out


def _stage_media(
    package: SafeZip, path: Path, cards: list[CardData], compressed: bool, staging: Staging
) -> dict[str, Path]:
    wanted = list(
        dict.fromkeys(
            name for card in cards for name in [*card.media, *card.images, *card.back_images]
        )
    )
    if not wanted:
        return {}
    members = _media_map(package, path, compressed)
    staged: dict[str, Path] = {}
    for name in wanted:
        member = members.get(name)
        if member is None:
            continue  # Referenced but not shipped: Anki shows it as missing too.
        if not package.has(member):
            raise DeckFormatError(path, f"media file {name!r} is missing", f"media entry {member}")
        target = staging.new_path(name)
        is_zstd = compressed and package.head(member, 4) == ZSTD_MAGIC
        package.copy_to(member, target, zstd=is_zstd)
        staged[name] = target
    return staged
