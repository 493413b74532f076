"""Turning Anki notes into Parley cards.

Which cards a note has comes from the collection's cards table, so optional reversed
cards and cloze numbers are exactly what Anki generated. Each card's front and back are
the fields its template shows on the question side and (only) on the answer side. The
first card of a note keeps the note's guid; the others get ``<guid>#<ord>``, so a
re-import matches every card again.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Container
from dataclasses import dataclass, field
from pathlib import Path

from app.formats import cloze
from app.formats.anki_collection import AnkiCard, AnkiCollection, AnkiNote, NoteType, Template
from app.formats.htmltext import PlainField, html_to_text
from app.formats.keypoints import parse_key_points
from app.model.deckdata import (
    MAX_SCHEDULE_DAYS,
    REVIEW_KINDS,
    AnkiOrigin,
    CardData,
    DeckData,
    NoteTypeData,
    PersonaData,
    ReviewData,
    ScheduleData,
    key_points_problem,
    shown_digest,
)
from app.model.errors import DeckFormatError

ROLEPLAY_NOTETYPE = "Parley Role-play"
ROLEPLAY_FIELDS = ("Persona", "Question", "Model Answer", "Key Points")
# Parley's own note types are numbered from here; their cards need no origin, since
# Parley writes them the same way again.
PARLEY_NOTETYPE_BASE = 1_690_000_000_100
PARLEY_NOTETYPE_COUNT = 100

_REF = re.compile(r"\{\{([^{}]*)\}\}")
_SPECIAL_REFS = frozenset(
    {"FrontSide", "Tags", "Type", "Deck", "Subdeck", "Card", "CardFlag", "CardID"}
)
_CARD_NEW = 0
# Anki's card types (learning, review, relearning) as FSRS names its states.
_CARD_STATES = {1: "learning", 2: "review", 3: "relearning"}
_QUEUE_SUSPENDED = -1
_QUEUE_BURIED = (-2, -3)  # by the scheduler, by the user
_DEFAULT_DECK = "Default"


def card_guid(note_guid: str, ord_: int) -> str:
    return note_guid if ord_ == 0 else f"{note_guid}#{ord_}"


@dataclass
class _Refs:
    plain: list[str] = field(default_factory=list)
    cloze: list[str] = field(default_factory=list)
    answer_only: list[str] = field(default_factory=list)  # {{type:X}} / {{hint:X}}


@functools.lru_cache(maxsize=1024)
def template_refs(fmt: str) -> _Refs:
    """Fields a template shows; cached, since every note of a type shares them. The
    result is shared: callers must not change it."""
    refs = _Refs()
    for match in _REF.finditer(fmt):
        inner = match.group(1).strip()
        if not inner or inner[0] in "#^/!":
            continue
        *filters, name = (part.strip() for part in inner.split(":"))
        if name in _SPECIAL_REFS:
            continue
        kinds = {f.split(" ")[0] for f in filters}
        bucket = (
            refs.cloze
            if "cloze" in kinds
            else refs.answer_only
            if kinds & {"type", "hint"}
            else refs.plain
        )
        if name not in bucket:
            bucket.append(name)
    return refs


@dataclass(slots=True)
class _Side:
    """One side of a card as it is assembled: its texts, the sounds it plays, the images
    it shows. Slotted: two are made for every card of a big deck."""

    texts: list[str] = field(default_factory=list)
    sounds: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)

    def add(self, plain: PlainField) -> None:
        if plain.text:
            self.texts.append(plain.text)
        self.sounds.extend(plain.sounds)
        self.images.extend(plain.images)

    def text(self, joiner: str = "\n") -> str:
        joined = joiner.join(self.texts)
        if joined:
            return joined
        # A card side with nothing to read still needs words on it.
        if self.images:
            return "[image]"
        if self.sounds:
            return "[sound]"
        return "(empty)"


class NoteConverter:
    """Turns notes into cards; what it leaves out or changes is remarked on ``deck``
    (the DeckData being read), whose ``notetypes`` gain every note type a card uses."""

    def __init__(
        self,
        collection: AnkiCollection,
        package: Path,
        deck: DeckData,
        *,
        with_scheduling: bool,
        keep_default_deck: bool = False,
    ) -> None:
        self.collection = collection
        self.package = package
        self.deck = deck
        self.with_scheduling = with_scheduling
        # A package's "Default" deck is only where Anki puts cards of no deck; a whole
        # collection's is a deck the user studies.
        self.keep_default_deck = keep_default_deck
        self.personas: dict[str, PersonaData] = {}
        self._plain_cache: dict[str, PlainField] = {}
        # Which fields a card shows depends only on its note type, its ordinal and how
        # many fields the note has: worked out once per such triple, not for each of a
        # big deck's notes (see _shown_fields). Deck paths likewise, by deck id.
        self._shown_cache: dict[tuple[int, int, int], tuple[list[int], list[int]]] = {}
        self._deck_paths: dict[int, str] = {}
        now = int(time.time())
        self.now = now
        self.today = (now - collection.created) // 86400 if collection.created else 0

    def convert(self, note: AnkiNote) -> list[CardData]:
        notetype = self.collection.notetypes.get(note.notetype_id)
        if notetype is None:
            raise DeckFormatError(
                self.package,
                f"uses note type {note.notetype_id}, which is missing",
                f"note {note.id}",
            )
        self._plain_cache = {}
        if notetype.name == ROLEPLAY_NOTETYPE:
            values = _values(notetype, note)
            if all(f in values for f in ROLEPLAY_FIELDS):
                return [self._roleplay(note, values)]
        if notetype.image_occlusion:
            # Its masks are drawn by Anki's own script over the image: without them
            # the card would show the answer.
            self.deck.remark(
                "skipped", "Image Occlusion note (masks not supported)", f"note {note.id}"
            )
            return []
        self._remember(notetype)
        cards = sorted(note.cards, key=lambda c: c.ord) or [
            AnkiCard(0, 0, _CARD_NEW, 0, 0, 0, 0, 0)
        ]
        if notetype.is_cloze:
            return self._cloze_cards(note, notetype, _values(notetype, note), cards)
        out = []
        for card in cards:
            front, back = self._sides(note, notetype, card.ord)
            out.append(self._card(note, card, front, back))
        return out

    def _sides(self, note: AnkiNote, notetype: NoteType, ord_: int) -> tuple[_Side, _Side]:
        front, back = _Side(), _Side()
        key = (notetype.id, ord_, len(note.fields))
        shown = self._shown_cache.get(key)
        if shown is None:
            shown = self._shown_cache[key] = _shown_fields(notetype, len(note.fields), ord_)
        q_fields, a_fields = shown
        if not q_fields:
            # No usable template: first field asks, second answers; reversed for ord 1.
            pair = [
                note.fields[0] if note.fields else "",
                note.fields[1] if len(note.fields) > 1 else "",
            ]
            if ord_ == 1:
                pair.reverse()
            front.add(html_to_text(pair[0]))
            back.add(html_to_text(pair[1]))
            return front, back
        for index in q_fields:
            front.add(self._plain(note.fields[index]))
        for index in a_fields:
            back.add(self._plain(note.fields[index]))
        return front, back

    def _plain(self, html: str) -> PlainField:
        # Reversed cards show the same fields again; convert each field once per note.
        cached = self._plain_cache.get(html)
        if cached is None:
            cached = self._plain_cache[html] = html_to_text(html)
        return cached

    @staticmethod
    def _answer_names(template: Template | None, q: _Refs, present: Container[str]) -> list[str]:
        a = template_refs(template.afmt) if template else _Refs()
        shown = set(q.plain) | set(q.cloze)
        names = [n for n in a.plain + a.answer_only + q.answer_only if n not in shown]
        return [n for n in dict.fromkeys(names) if n in present]

    def _cloze_cards(
        self, note: AnkiNote, notetype: NoteType, values: dict[str, str], cards: list[AnkiCard]
    ) -> list[CardData]:
        template = notetype.templates[0] if notetype.templates else None
        q = template_refs(template.qfmt) if template else _Refs()
        cloze_names = [n for n in q.cloze if n in values] or notetype.fields[:1]
        parsed = {name: cloze.parse(values.get(name, "")) for name in cloze_names}
        extra_names = self._answer_names(template, q, values)
        if not note.cards:
            found = sorted({n for nodes in parsed.values() for n in cloze.numbers(nodes)})
            cards = [AnkiCard(n - 1, 0, _CARD_NEW, 0, 0, 0, 0, 0) for n in found if n > 0]
        out = []
        for card in cards:
            number = card.ord + 1
            front, full, extra = _Side(), _Side(), _Side()
            for name in cloze_names:
                front.add(html_to_text(cloze.render(parsed[name], number, reveal=False)))
                full.add(html_to_text(cloze.render(parsed[name], number, reveal=True)))
            for name in q.plain:
                if name in values and name not in cloze_names:
                    front.add(html_to_text(values[name]))
            for name in extra_names:
                extra.add(html_to_text(values[name]))
            back = _Side(
                [t for t in (full.text(), "\n".join(extra.texts)) if t],
                full.sounds + extra.sounds,
                full.images + extra.images,
            )
            out.append(self._card(note, card, front, back, back_joiner="\n\n"))
        return out

    def _remember(self, notetype: NoteType) -> None:
        if notetype.id not in self.deck.notetypes and not _is_parleys(notetype.id):
            self.deck.notetypes[notetype.id] = NoteTypeData(
                notetype.id,
                notetype.name,
                1 if notetype.is_cloze else 0,
                list(notetype.fields),
                [(t.name, t.qfmt, t.afmt) for t in notetype.templates],
                notetype.css,
            )

    def deck_of(self, card: AnkiCard) -> str:
        """The card's deck by full path, or "" for the package's own deck."""
        path = self._deck_paths.get(card.deck_id)
        if path is None:
            deck = self.collection.decks.get(card.deck_id)
            if deck is None or (deck.name == _DEFAULT_DECK and not self.keep_default_deck):
                path = ""
            else:
                path = "::".join(part.strip() for part in deck.name.split("::"))
            self._deck_paths[card.deck_id] = path
        return path

    def _images(self, note: AnkiNote, side: _Side, shown: tuple[str, ...] = ()) -> list[str]:
        """The files ``side`` shows that are not ``shown`` already (on the front)."""
        if not side.images:
            return []
        names = []
        for name in dict.fromkeys(side.images):
            if name in shown:
                continue
            if _is_local_media(name):
                names.append(name)
            else:
                self.deck.remark("converted", "remote image left out", f"note {note.id}")
        return names

    def _card(
        self, note: AnkiNote, card: AnkiCard, front: _Side, back: _Side, back_joiner: str = "\n"
    ) -> CardData:
        media = (
            list(dict.fromkeys(front.sounds + back.sounds)) if front.sounds or back.sounds else []
        )
        front_text, back_text = front.text(), back.text(back_joiner)
        front_images = self._images(note, front)
        return CardData(
            guid=card_guid(note.guid, card.ord),
            kind="flashcard",
            front=front_text,
            back=back_text,
            tags=list(note.tags),
            media=media,
            schedule=self._schedule(card) if self.with_scheduling else None,
            deck=self.deck_of(card),
            images=front_images,
            back_images=self._images(note, back, (*front.images, *front_images)),
            suspended=card.queue == _QUEUE_SUSPENDED,
            buried=self.with_scheduling and card.queue in _QUEUE_BURIED,
            history=_history(card) if self.with_scheduling else [],
            origin=None
            if _is_parleys(note.notetype_id)
            else AnkiOrigin(
                note.notetype_id, card.ord, list(note.fields), shown_digest(front_text, back_text)
            ),
        )

    def _roleplay(self, note: AnkiNote, values: dict[str, str]) -> CardData:
        where = f"note {note.id}"
        plain = {name: html_to_text(values[name]) for name in ROLEPLAY_FIELDS}
        persona = plain["Persona"].text
        if not persona:
            raise DeckFormatError(self.package, "role-play has no persona", where)
        try:
            key_points = parse_key_points(plain["Key Points"].text)
        except ValueError as exc:
            raise DeckFormatError(self.package, str(exc), where) from None
        if not key_points:
            raise DeckFormatError(self.package, "role-play has no key points", where)
        problem = key_points_problem(key_points)
        if problem is not None:
            raise DeckFormatError(self.package, f"role-play {problem}", where)
        if not plain["Question"].text or not plain["Model Answer"].text:
            raise DeckFormatError(
                self.package, "role-play needs a question and a model answer", where
            )
        self.personas.setdefault(persona, PersonaData(key=persona))
        # A note's cards come in id order; its first card is the one of the lowest ordinal.
        card = (
            min(note.cards, key=lambda c: c.ord)
            if note.cards
            else AnkiCard(0, 0, _CARD_NEW, 0, 0, 0, 0, 0)
        )
        return CardData(
            guid=note.guid,
            kind="roleplay",
            persona=persona,
            question=plain["Question"].text,
            model_answer=plain["Model Answer"].text,
            key_points=key_points,
            tags=list(note.tags),
            media=list(dict.fromkeys(s for p in plain.values() for s in p.sounds)),
            schedule=self._schedule(card) if self.with_scheduling else None,
            deck=self.deck_of(card),
            suspended=card.queue == _QUEUE_SUSPENDED,
            buried=self.with_scheduling and card.queue in _QUEUE_BURIED,
            history=_history(card) if self.with_scheduling else [],
        )

    def _schedule(self, card: AnkiCard) -> ScheduleData | None:
        if card.type == _CARD_NEW:
            return None
        # Learning steps are due at a time of day, in seconds since the epoch; the rest
        # on a day counted from the collection's creation.
        # Values beyond what Anki itself writes (a damaged or crafted collection) are
        # clamped into range: the card is kept, with a schedule Parley can hold.
        intraday = card.due > 1_000_000_000
        due_in = (card.due - self.now) // 86400 if intraday else card.due - self.today
        return ScheduleData(
            due_in_days=_clamp(due_in, MAX_SCHEDULE_DAYS),
            interval_days=_clamp(card.ivl, MAX_SCHEDULE_DAYS),
            reps=_clamp(card.reps, _MAX_COUNT),
            lapses=_clamp(card.lapses, _MAX_COUNT),
            state=_CARD_STATES.get(card.type, "review"),
        )


_MAX_COUNT = 2**31 - 1
# Review times Parley can hold: after 2000-01-01 and before 2100-01-01 (milliseconds).
_REVIEW_MS = (946_684_800_000, 4_102_444_800_000)
_DAY_S = 86400


def _history(card: AnkiCard) -> list[ReviewData]:
    """The card's answers from Anki's review log, oldest first. Anki logs more than
    answers: a manual reschedule or "set due date" (types 4 and 5) and a filtered-deck
    review that did not count (ease 0) have no rating and are not reviews here."""
    out = []
    for at_ms, ease, ivl, last_ivl, factor, taken, kind in card.revlog:
        if not (1 <= ease <= 4 and 0 <= kind < len(REVIEW_KINDS)):
            continue
        if not _REVIEW_MS[0] <= at_ms < _REVIEW_MS[1]:
            continue  # not a time Anki wrote: a damaged or crafted log
        out.append(
            ReviewData(
                at_ms=at_ms,
                rating=ease,
                interval_s=_interval_s(ivl),
                last_interval_s=_interval_s(last_ivl),
                factor=_clamp(factor, 100_000),
                duration_ms=_clamp(taken, _DAY_S * 1000),
                kind=REVIEW_KINDS[kind],
            )
        )
    return out


def _interval_s(ivl: int) -> int:
    """An interval from Anki's log (days when positive, seconds when negative) in seconds."""
    if ivl >= 0:
        return _clamp(ivl, MAX_SCHEDULE_DAYS) * _DAY_S
    return _clamp(-ivl, MAX_SCHEDULE_DAYS * _DAY_S)


def _names(notetype: NoteType, present: Container[str], ord_: int) -> tuple[list[str], list[str]]:
    """The fields card ``ord_`` of ``notetype`` shows on its front and, apart from
    those, on its back, among the ``present`` ones (the note's field names); no front
    fields when its template shows none."""
    template = notetype.templates[ord_] if ord_ < len(notetype.templates) else None
    q = template_refs(template.qfmt) if template else _Refs()
    q_names = [n for n in q.plain + q.cloze if n in present]
    if not q_names:
        return [], []
    return q_names, NoteConverter._answer_names(template, q, present)


def _values(notetype: NoteType, note: AnkiNote) -> dict[str, str]:
    """The note's fields by name."""
    return dict(zip(notetype.fields, note.fields, strict=False))


def _shown_fields(notetype: NoteType, field_count: int, ord_: int) -> tuple[list[int], list[int]]:
    """``_names`` as positions in the fields of a note that has ``field_count``: so that
    a note's cards need no dict of its fields by name (13 ms of 22,000 notes)."""
    # A repeated name stands for its last field, as in the note's fields by name.
    positions = dict(zip(notetype.fields, range(field_count), strict=False))
    q_names, a_names = _names(notetype, positions, ord_)
    return [positions[n] for n in q_names], [positions[n] for n in a_names]


def _is_parleys(notetype_id: int) -> bool:
    return 0 < notetype_id - PARLEY_NOTETYPE_BASE <= PARLEY_NOTETYPE_COUNT


def _is_local_media(name: str) -> bool:
    """A file name in the package, not an address (remote, data: or absolute)."""
    lowered = name.strip().lower()
    return bool(lowered) and ":" not in lowered and not lowered.startswith(("/", "\\"))


def _clamp(value: int, high: int) -> int:
    return min(max(0, value), high)
