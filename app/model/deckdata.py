"""Plain data for decks as they travel between files and the store.

Every reader (native TOML, CSV, Anki) produces a ``DeckData`` and every writer consumes
one, so formats never touch the database and the store never parses files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

CardKind = Literal["flashcard", "roleplay"]
CARD_KINDS: tuple[CardKind, ...] = ("flashcard", "roleplay")

# What an import does with a card whose stable id the deck already has.
ImportMode = Literal["update", "skip", "duplicate"]
IMPORT_MODES: tuple[ImportMode, ...] = ("update", "skip", "duplicate")

# Scoring compares every phrase of every key point with every part of the answer, so
# these bound its work. Real decks stay far below them (the built-in deck: 5 key points,
# 4 alternatives of up to 6 words); a phrase learned from an answer is one sentence.
MAX_KEY_POINTS = 20  # per card
MAX_ALTERNATIVES = 50  # per key point, the phrases learned from answers included
MAX_REJECTED = 100  # per key point
MAX_PHRASE_WORDS = 30  # a label, an alternative or a rejected phrase
MAX_PHRASE_CHARS = 300
# An imported schedule further out than this is not a schedule (Anki's own maximum
# interval is 36500 days too).
MAX_SCHEDULE_DAYS = 36_500


@dataclass
class KeyPoint:
    """Something a good answer must say. ``alternatives`` are phrasings that count as
    saying it; the label is what the user sees, and counts too. ``rejected`` are phrases
    the user said did not make this point, so they never count for it again."""

    label: str
    alternatives: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)

    def texts(self) -> list[str]:
        """The label and every alternative, once each: what "saying it" looks like."""
        return list(dict.fromkeys([self.label, *self.alternatives]))


def key_points_problem(points: Sequence[KeyPoint]) -> str | None:
    """Why a card's key points would make scoring unreasonably slow, or None."""
    if len(points) > MAX_KEY_POINTS:
        return f"has {len(points)} key points; a card may have at most {MAX_KEY_POINTS}"
    for point in points:
        if len(point.alternatives) > MAX_ALTERNATIVES:
            return (
                f"key point {_short(point.label)} has {len(point.alternatives)} alternatives; "
                f"at most {MAX_ALTERNATIVES} are allowed"
            )
        if len(point.rejected) > MAX_REJECTED:
            return (
                f"key point {_short(point.label)} has {len(point.rejected)} rejected phrases; "
                f"at most {MAX_REJECTED} are allowed"
            )
        for phrase in [point.label, *point.alternatives, *point.rejected]:
            words = len(phrase.split())
            if words > MAX_PHRASE_WORDS or len(phrase) > MAX_PHRASE_CHARS:
                return (
                    f"key point phrase {_short(phrase)} is too long ({words} words, "
                    f"{len(phrase)} characters); at most {MAX_PHRASE_WORDS} words and "
                    f"{MAX_PHRASE_CHARS} characters"
                )
    return None


def _short(text: str, limit: int = 40) -> str:
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= limit else flat[: limit - 1] + "…")


@dataclass
class Glossary:
    """What a deck's subject sounds like, for recognition and scoring.

    ``terms`` are words an answer is likely to use (the recogniser is biased towards
    them); ``acronyms`` map a short form to what it stands for ("RAG" -> "retrieval
    augmented generation"), either form meeting the other; ``heard_as`` are known
    mishearings ("AI" heard as "eye"); ``options`` are the choices the deck weighs
    against each other, each as the words that name it, so that a claim made about the
    wrong one ("retrieval retrains the model") is recognised as wrong."""

    terms: list[str] = field(default_factory=list)
    acronyms: dict[str, str] = field(default_factory=dict)
    heard_as: dict[str, list[str]] = field(default_factory=dict)
    options: list[list[str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.terms or self.acronyms or self.heard_as or self.options)

    def to_json(self) -> dict[str, object]:
        return {
            "terms": list(self.terms),
            "acronyms": dict(self.acronyms),
            "heard_as": {k: list(v) for k, v in self.heard_as.items()},
            "options": [list(o) for o in self.options],
        }

    @classmethod
    def from_json(cls, raw: object) -> Glossary:
        """From what ``to_json`` wrote; anything malformed is left out, never fatal."""
        if not isinstance(raw, dict):
            return cls()

        def strings(value: object) -> list[str]:
            return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []

        acronyms = raw.get("acronyms")
        heard = raw.get("heard_as")
        return cls(
            terms=strings(raw.get("terms")),
            acronyms={k: v for k, v in (acronyms or {}).items() if isinstance(v, str)}
            if isinstance(acronyms, dict)
            else {},
            heard_as={k: strings(v) for k, v in heard.items()} if isinstance(heard, dict) else {},
            options=[strings(o) for o in raw.get("options") or [] if strings(o)]
            if isinstance(raw.get("options"), list)
            else [],
        )


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
    # The deck the card sits in, as a full path ("Parent::Child"); empty for the file's
    # own deck (``DeckData.name``). Decks of a tree are told apart by name alone.
    deck: str = ""
    # Image files the card shows, by file name (Anki ``<img src>``): ``images`` on the
    # front (and so on the back too, under the answer's rule), ``back_images`` only once
    # the answer is shown.
    images: list[str] = field(default_factory=list)
    back_images: list[str] = field(default_factory=list)
    # Out of the study queue until the user puts it back; kept from the file.
    suspended: bool = False
    # Set aside until the next day; part of the scheduling, kept only with it.
    buried: bool = False
    # Where an Anki card came from, so that exporting it updates the same Anki note.
    origin: AnkiOrigin | None = None
    # The card's past reviews, oldest first; carried only with its scheduling.
    history: list[ReviewData] = field(default_factory=list)


@dataclass
class AnkiOrigin:
    """The Anki note a card was made from: its note type, the card's template (or cloze)
    ordinal and the note's fields as HTML. ``shown`` is the card's front and back as
    Parley made them from those fields (see ``shown_digest``): while the card still
    reads that way, the original fields go back to Anki untouched."""

    notetype_id: int
    ord: int
    fields: list[str]
    shown: str

    def to_json(self) -> dict[str, Any]:
        # By hand: dataclasses.asdict deep-copies, a second per 20,000 cards.
        return {"notetype_id": self.notetype_id, "ord": self.ord, "fields": self.fields,
                "shown": self.shown}  # fmt: skip


def shown_digest(front: str, back: str) -> str:
    return hashlib.sha1(f"{front}\x1f{back}".encode()).hexdigest()[:16]


@dataclass
class ScheduleData:
    """Scheduling state imported from another app: days until due and the interval."""

    due_in_days: int
    interval_days: int
    reps: int = 0
    lapses: int = 0
    # "learning", "review" or "relearning", as FSRS names its states.
    state: str = "review"


# A review's kind, as Anki's review log names them by number (0-3).
REVIEW_KINDS = ("learning", "review", "relearning", "filtered")


@dataclass
class ReviewData:
    """One past review, as Anki's review log keeps it: when (milliseconds since the
    epoch, which is also the log entry's id in Anki), the rating (1 Again .. 4 Easy),
    the interval it gave and the one before (in seconds), the ease factor in permille
    (0 when unknown), how long the answer took, and the card's state when reviewed
    (one of ``REVIEW_KINDS``)."""

    at_ms: int
    rating: int
    interval_s: int
    last_interval_s: int = 0
    factor: int = 0
    duration_ms: int = 0
    kind: str = "review"


@dataclass
class DeckData:
    name: str
    description: str = ""
    glossary: Glossary = field(default_factory=Glossary)
    personas: list[PersonaData] = field(default_factory=list)
    cards: list[CardData] = field(default_factory=list)
    # Media file name -> path of the file's bytes, staged outside the data dir.
    media_files: dict[str, Path] = field(default_factory=dict)
    # Anki note types the cards' origins name, by id, so an export can recreate them.
    notetypes: dict[int, NoteTypeData] = field(default_factory=dict)
    # What the reader left out or changed, for the import summary: reason -> details.
    remarks: list[Remark] = field(default_factory=list)

    def persona(self, key: str) -> PersonaData | None:
        return next((p for p in self.personas if p.key == key), None)

    def remark(self, kind: str, reason: str, where: str) -> None:
        """Count one more note or line under ``reason`` (merged with earlier ones)."""
        for existing in self.remarks:
            if existing.kind == kind and existing.reason == reason:
                existing.where.append(where)
                return
        self.remarks.append(Remark(kind, reason, [where]))

    def deck_names(self) -> list[str]:
        """Every deck the cards sit in, by full path, in the order they first appear."""
        return list(dict.fromkeys(card.deck or self.name for card in self.cards))


@dataclass
class NoteTypeData:
    """An Anki note type as Anki needs it back: fields, templates (name, question and
    answer formats) and styling. ``kind`` is 0 for standard, 1 for cloze."""

    id: int
    name: str
    kind: int
    fields: list[str]
    templates: list[tuple[str, str, str]]
    css: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "kind": self.kind,
            "fields": list(self.fields),
            "templates": [list(t) for t in self.templates],
            "css": self.css,
        }

    @classmethod
    def from_json(cls, notetype_id: int, raw: dict[str, Any]) -> NoteTypeData:
        return cls(
            notetype_id,
            str(raw.get("name", "")),
            int(raw.get("kind", 0)),
            [str(f) for f in raw.get("fields", [])],
            [(str(t[0]), str(t[1]), str(t[2])) for t in raw.get("templates", [])],
            str(raw.get("css", "")),
        )


@dataclass
class Remark:
    """Something a reader kept in another form or left out: ``kind`` is "converted" or
    "skipped", ``reason`` says why in a few words, ``where`` lists the notes or lines."""

    kind: str
    reason: str
    where: list[str] = field(default_factory=list)
