"""Plain data for decks as they travel between files and the store.

Every reader (native TOML, CSV, Anki) produces a ``DeckData`` and every writer consumes
one, so formats never touch the database and the store never parses files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

CardKind = Literal["flashcard", "roleplay"]
CARD_KINDS: tuple[CardKind, ...] = ("flashcard", "roleplay")

# What an import does with a card whose stable id the deck already has.
ImportMode = Literal["update", "skip", "duplicate"]
IMPORT_MODES: tuple[ImportMode, ...] = ("update", "skip", "duplicate")


@dataclass
class KeyPoint:
    """Something a good answer must say. ``alternatives`` are phrasings that count as
    saying it; the label is only what the user sees."""

    label: str
    alternatives: list[str] = field(default_factory=list)


@dataclass
class PersonaData:
    """A stakeholder who asks role-play questions. ``key`` is what cards refer to."""

    key: str
    name: str = ""
    role: str = ""
    cares_about: str = ""
    voice: str = ""


@dataclass
class CardData:
    """One card. ``guid`` is the stable id that lets re-imports update instead of
    duplicate. Fields that do not apply to the kind stay empty."""

    guid: str
    kind: CardKind
    front: str = ""
    back: str = ""
    persona: str = ""
    question: str = ""
    model_answer: str = ""
    key_points: list[KeyPoint] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    # Media files the card refers to, by file name (e.g. Anki ``[sound:x.mp3]``).
    media: list[str] = field(default_factory=list)
    # Scheduling carried over from another app, only when the user asks for it.
    schedule: ScheduleData | None = None


@dataclass
class ScheduleData:
    """Scheduling state imported from another app: days until due and the interval."""

    due_in_days: int
    interval_days: int
    reps: int = 0
    lapses: int = 0


@dataclass
class DeckData:
    name: str
    description: str = ""
    personas: list[PersonaData] = field(default_factory=list)
    cards: list[CardData] = field(default_factory=list)
    # Media file name -> path of the file's bytes, staged outside the data dir.
    media_files: dict[str, Path] = field(default_factory=dict)

    def persona(self, key: str) -> PersonaData | None:
        return next((p for p in self.personas if p.key == key), None)
