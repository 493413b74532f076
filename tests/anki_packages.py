"""Real Anki packages for the format tests, built with the ``anki`` library, and a
snapshot of a collection's notes to compare round trips. Kept out of conftest.py so test
modules can import it by a name no other folder's conftest shadows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from anki_notes import deck_id, new_note

if TYPE_CHECKING:
    from anki.collection import Collection

SOUND_BYTES = b"ID3\x03\x00\x00\x00fake mp3 frames"


@dataclass
class AnkiNoteSnapshot:
    guid: str
    notetype: str
    fields: list[str]
    tags: list[str]
    cards: int


# Imports a package into a fresh Anki collection: its notes by guid and its media folder.
ImportIntoAnki = Callable[[Path], tuple[dict[str, AnkiNoteSnapshot], Path]]


@dataclass
class AnkiPackages:
    """Packages exported by the anki library from one collection, and its notes."""

    legacy: Path
    current: Path
    notes: dict[str, AnkiNoteSnapshot] = field(default_factory=dict)
    guids: dict[str, str] = field(default_factory=dict)  # role in the fixture -> note guid


def snapshot(col: Collection) -> dict[str, AnkiNoteSnapshot]:
    out = {}
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        notetype = note.note_type()
        if notetype is None:
            raise LookupError(f"note {nid} of the test collection has no note type")
        out[note.guid] = AnkiNoteSnapshot(
            guid=note.guid,
            notetype=notetype["name"],
            fields=list(note.fields),
            tags=sorted(note.tags),
            cards=len(note.cards()),
        )
    return out


def _build_anki_packages(folder: Path, *, with_scheduling: bool) -> AnkiPackages:
    from anki.collection import Collection, DeckIdLimit, ExportAnkiPackageOptions
    from anki.consts import CARD_TYPE_REV, QUEUE_TYPE_REV

    col = Collection(str(folder / "source.anki2"))
    try:
        (Path(col.media.dir()) / "syn.mp3").write_bytes(SOUND_BYTES)
        deck = deck_id(col, "Networking::Transport")
        guids = {}
        nids = {}

        def add(role: str, notetype: str, values: dict[str, str], tags: list[str]) -> None:
            note = new_note(col, notetype)
            for key, value in values.items():
                note[key] = value
            note.tags = tags
            col.add_note(note, deck)
            guids[role] = note.guid
            nids[role] = note.id

        add(
            "basic",
            "Basic",
            {
                "Front": "What does <b>TCP</b> guarantee?&nbsp;[sound:syn.mp3]",
                "Back": "Ordered, reliable delivery<br>of a byte stream",
            },
            ["transport", "tcp"],
        )
        add("plain", "Basic", {"Front": "Port of HTTPS", "Back": "443"}, ["ports"])
        add(
            "reversed",
            "Basic (and reversed card)",
            {"Front": "SYN", "Back": "synchronise"},
            ["handshake"],
        )
        add(
            "cloze",
            "Cloze",
            {
                "Text": "{{c1::TCP}} is connection-oriented, {{c2::UDP::protocol}} is not",
                "Back Extra": "Both sit on IP",
            },
            ["cloze", "transport"],
        )
        add(
            "html",
            "Basic",
            {
                "Front": "<div>Script-free<script>alert('x')</script></div><style>b{}</style>",
                "Back": '<img src="diagram.png">a &lt; b &amp;&amp; c',
            },
            ["html"],
        )
        if with_scheduling:
            card = col.get_note(nids["plain"]).cards()[0]
            card.type, card.queue = CARD_TYPE_REV, QUEUE_TYPE_REV
            card.ivl = 12
            card.due = col.sched.today + 5
            card.reps, card.lapses, card.factor = 4, 1, 2500
            col.update_card(card)
        notes = snapshot(col)
        paths = {}
        for legacy in (True, False):
            out = folder / f"networking-{'legacy' if legacy else 'current'}.apkg"
            options = ExportAnkiPackageOptions(
                with_scheduling=with_scheduling,
                with_deck_configs=False,
                with_media=True,
                legacy=legacy,
            )
            col.export_anki_package(out_path=str(out), options=options, limit=DeckIdLimit(deck))
            paths[legacy] = out
    finally:
        col.close()
    return AnkiPackages(legacy=paths[True], current=paths[False], notes=notes, guids=guids)
