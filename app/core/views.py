"""Read-only snapshots of rows, safe to hand to another thread and to print as JSON.

The JSON shapes are a documented contract (README, "CLI JSON").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from app.model.deckdata import Glossary, KeyPoint, PersonaData

# fsrs.State's values, as its Card.to_dict() stores them.
FSRS_STATES = {1: "learning", 2: "review", 3: "relearning"}


@dataclass(frozen=True)
class CardView:
    id: int
    guid: str
    kind: str
    deck: str
    front: str
    back: str
    persona: str
    question: str
    model_answer: str
    key_points: list[KeyPoint]
    tags: list[str]
    media: list[str] = field(default_factory=list)
    persona_info: PersonaData | None = None
    due: datetime | None = None
    is_new: bool = True
    fsrs_state: dict[str, Any] | None = None
    glossary: Glossary = field(default_factory=Glossary)  # the deck's
    suspended: bool = False
    buried: bool = False  # out of the queue until a later day
    images: list[str] = field(default_factory=list)  # files in the media folder
    back_images: list[str] = field(default_factory=list)  # shown with the answer
    origin: dict[str, Any] | None = None  # deckdata.AnkiOrigin as JSON
    reps: int = 0
    lapses: int = 0
    last_review: datetime | None = None

    @property
    def state(self) -> str:
        """new, learning, review or relearning: FSRS's state, or new before any review."""
        if self.is_new or not self.fsrs_state:
            return "new"
        return FSRS_STATES.get(int(self.fsrs_state.get("state", 2)), "review")

    def to_json(self) -> dict[str, Any]:
        flash = self.kind == "flashcard"
        return {
            "id": self.id,
            "guid": self.guid,
            "kind": self.kind,
            "deck": self.deck,
            "front": self.front if flash else None,
            "back": self.back if flash else None,
            "persona": None if flash else self.persona,
            "question": None if flash else self.question,
            "model_answer": None if flash else self.model_answer,
            "key_points": None
            if flash
            else [
                {"label": k.label, "alternatives": list(k.alternatives)}
                | ({"rejected": list(k.rejected)} if k.rejected else {})
                for k in self.key_points
            ],
            "tags": list(self.tags),
            "suspended": self.suspended,
            "buried": self.buried,
            "state": self.state,
        }


@dataclass(frozen=True)
class QueueCounts:
    """Cards to study now, as Anki counts them: new ones (today's allowance), ones in
    their learning steps, and due reviews."""

    new: int = 0
    learning: int = 0
    review: int = 0

    @property
    def total(self) -> int:
        return self.new + self.learning + self.review

    def to_json(self) -> dict[str, int]:
        return {"new": self.new, "learning": self.learning, "review": self.review}


def count_queue(cards: Iterable[CardView]) -> QueueCounts:
    """A session's cards still to study, split as the home page splits them."""
    states = [card.state for card in cards]
    learning = sum(1 for state in states if state in ("learning", "relearning"))
    new = states.count("new")
    return QueueCounts(new=new, learning=learning, review=len(states) - new - learning)


@dataclass(frozen=True)
class DeckSummary:
    id: int
    name: str
    description: str
    flashcards: int
    roleplays: int
    new_available: int
    review_due: int
    last_practised: datetime | None
    builtin: bool
    # The same, per kind and split into new, learning and due reviews.
    flashcard_queue: QueueCounts = field(default_factory=QueueCounts)
    roleplay_queue: QueueCounts = field(default_factory=QueueCounts)

    @property
    def due(self) -> int:
        """Cards ready to study now: due reviews plus today's allowance of new cards."""
        return self.new_available + self.review_due

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "counts": {"flashcard": self.flashcards, "roleplay": self.roleplays},
            "due": self.due,
            "new": self.new_available,
            "review": self.review_due,
            "queues": {
                "flashcard": self.flashcard_queue.to_json(),
                "roleplay": self.roleplay_queue.to_json(),
            },
            "last_practised": self.last_practised.isoformat() if self.last_practised else None,
            "builtin": self.builtin,
        }


@dataclass(frozen=True)
class RemarkCount:
    """Notes or lines of the file that were converted or left out, for one reason."""

    kind: str  # "converted" or "skipped"
    reason: str
    count: int
    where: list[str]  # the first few notes or lines

    def to_json(self) -> dict[str, Any]:
        return {"reason": self.reason, "count": self.count, "where": list(self.where)}

    def describe(self) -> str:
        more = ", …" if self.count > len(self.where) else ""
        return f"{self.count} {self.kind}: {self.reason} ({', '.join(self.where)}{more})"


@dataclass(frozen=True)
class ImportSummary:
    """What an import did: cards added, updated, unchanged and skipped (already there,
    with ``--mode skip`` or twice in the file), the decks of the tree it filled, and
    what the reader converted or left out of the file, and why."""

    deck: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    media: int = 0
    decks: list[str] = field(default_factory=list)
    suspended: int = 0
    images: int = 0  # cards that show images
    reviews: int = 0  # past reviews brought into the review log (with scheduling)
    remarks: list[RemarkCount] = field(default_factory=list)
    # The very file of the tree's last import, into a tree nobody changed: not read again.
    same_file: bool = False
    backup: Path | None = None  # the backup made just before, when one was asked for

    def details(self) -> list[str]:
        """What the counts leave out, one line each: the decks filled, what the file set
        aside, the media it brought, and what the reader converted or left out."""
        lines = []
        if self.same_file:
            lines.append("the same file as this deck's last import, and nothing changed since")
        if len(self.decks) > 1:
            lines.append(f"decks: {', '.join(self.decks)}")
        if self.suspended:
            lines.append(f"{self.suspended} cards suspended, as in the file")
        if self.media:
            lines.append(f"{self.media} media files")
        if self.images:
            lines.append(f"{self.images} cards show images")
        if self.reviews:
            lines.append(f"{self.reviews} past reviews kept in the review history")
        lines.extend(remark.describe() for remark in self.remarks)
        return lines

    def to_json(self) -> dict[str, Any]:
        return {
            "deck": self.deck,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "media": self.media,
            "decks": list(self.decks or [self.deck]),
            "suspended": self.suspended,
            "images": self.images,
            "reviews": self.reviews,
            "converted": [r.to_json() for r in self.remarks if r.kind == "converted"],
            "left_out": [r.to_json() for r in self.remarks if r.kind == "skipped"],
            "same_file": self.same_file,
            "backup": None if self.backup is None else str(self.backup),
        }
