"""A real Anki collection with a deck tree, card states and an image, made with the
``anki`` library, and its export; shared by the format and the store tests. Kept out of
conftest.py so test modules can import it by name."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from anki_notes import deck_id, new_note

if TYPE_CHECKING:
    from anki.cards import CardId

# A 1x1 PNG, so the bytes are a real image.
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@dataclass
class AnkiTree:
    """A collection file (``source``), a package exported from all of it and the note
    guids by the role they play."""

    source: Path
    package: Path
    guids: dict[str, str] = field(default_factory=dict)
    card_ids: dict[str, CardId] = field(default_factory=dict)


def build_anki_tree(folder: Path, *, with_scheduling: bool = True) -> AnkiTree:
    from anki.collection import Collection, ExportAnkiPackageOptions
    from anki.consts import CARD_TYPE_LRN, CARD_TYPE_REV, QUEUE_TYPE_LRN, QUEUE_TYPE_REV

    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "collection.anki2"
    col = Collection(str(source))
    try:
        (Path(col.media.dir()) / "diagram.png").write_bytes(PNG_BYTES)
        guids: dict[str, str] = {}
        card_ids: dict[str, CardId] = {}

        def add(role: str, deck: str, front: str, back: str, notetype: str = "Basic") -> None:
            note = new_note(col, notetype)
            note["Front"], note["Back"] = front, back
            note.tags = [role]
            col.add_note(note, deck_id(col, deck))
            guids[role] = note.guid
            card_ids[role] = note.cards()[0].id

        add("transport", "Networking::Transport", "What does TCP guarantee?", "Ordered delivery")
        add("apps", "Networking::Apps", "Port of HTTPS", "443")
        add("ipa", "Spanish", "[ˈagwa]", "agua, water")
        add("image", "Spanish", 'What is this? <img src="diagram.png">', "A diagram")
        add("suspended", "Spanish", "Suspended card", "stays out")
        add("buried", "Networking::Apps", "Buried card", "back tomorrow")
        add("learning", "Networking::Transport", "Learning card", "in steps")
        add("review", "Networking::Transport", "Review card", "due in five days")
        col.sched.suspend_cards([card_ids["suspended"]])
        col.sched.bury_cards([card_ids["buried"]], manual=True)
        learning = col.get_card(card_ids["learning"])
        learning.type, learning.queue, learning.reps = CARD_TYPE_LRN, QUEUE_TYPE_LRN, 1
        learning.due = int(col.sched.day_cutoff) - 3600
        col.update_card(learning)
        review = col.get_card(card_ids["review"])
        review.type, review.queue = CARD_TYPE_REV, QUEUE_TYPE_REV
        review.ivl, review.due = 12, col.sched.today + 5
        review.reps, review.lapses, review.factor = 4, 1, 2500
        col.update_card(review)
        package = folder / "tree.apkg"
        options = ExportAnkiPackageOptions(
            with_scheduling=with_scheduling,
            with_deck_configs=False,
            with_media=True,
            legacy=False,
        )
        col.export_anki_package(out_path=str(package), options=options, limit=None)
    finally:
        col.close()
    return AnkiTree(source, package, guids, card_ids)
