"""Grouping Parley cards back into Anki notes for export.

Reading a package turns one reversed note into two cards (``G`` and ``G#1``) and one
cloze note into a card per deletion (``G``, ``G#1``, ...). Exporting undoes that when the
cards still fit together — a reversed pair has swapped sides; a cloze group's fronts are
one text with ``[…]``/``[hint]`` where its backs show the answers — so the note goes back
to Anki with its guid, fields and tags. Anything else becomes one Basic note per card.

Cards read from Anki remember their note (``CardData.origin``): while they still read as
they did, the note goes back with its own note type and fields, so importing the package
into the collection it came from updates those notes instead of conflicting with them.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from app.formats.cloze import PLACEHOLDER
from app.formats.htmltext import image_tags, sound_tags, text_to_html
from app.formats.keypoints import format_key_points
from app.model.deckdata import CardData, ReviewData, ScheduleData, shown_digest

BASIC, REVERSED, CLOZE, ROLEPLAY = "basic", "reversed", "cloze", "roleplay"
ORIGINAL = "original"  # the Anki note type the cards came from (PlannedNote.notetype_id)

_GUID_ORD = re.compile(r"^(.+)#(\d{1,3})$")
_BRACKETS = re.compile(r"\[[^\[\]\n]*\]")


@dataclass
class PlannedCard:
    ord: int  # template or cloze ordinal
    schedule: ScheduleData | None
    deck: str  # full path; "" for the deck being exported
    suspended: bool = False
    buried: bool = False
    history: list[ReviewData] = field(default_factory=list)


@dataclass
class PlannedNote:
    guid: str
    kind: str  # BASIC, REVERSED, CLOZE, ROLEPLAY or ORIGINAL
    fields: list[str]  # HTML, as Anki stores them
    tags: list[str]
    cards: list[PlannedCard] = field(default_factory=list)
    notetype_id: int | None = None  # for ORIGINAL


def _planned(ord_: int, card: CardData) -> PlannedCard:
    return PlannedCard(
        ord_, card.schedule, card.deck, card.suspended, card.buried, list(card.history)
    )


def split_guid(guid: str) -> tuple[str, int]:
    match = _GUID_ORD.match(guid)
    if match is None:
        return guid, 0
    return match.group(1), int(match.group(2))


def plan_notes(
    cards: list[CardData], notetypes: Mapping[int, int] | None = None
) -> list[PlannedNote]:
    """The notes that give back ``cards``. ``notetypes`` maps the Anki note types the
    writer can recreate to their kind (1 for cloze); a card whose origin names another
    one is planned afresh."""
    known = dict(notetypes or {})
    groups: dict[str, list[tuple[int, CardData]]] = {}
    for card in cards:
        if card.kind == "roleplay":
            groups.setdefault(card.guid, []).append((0, card))
            continue
        base, ord_ = split_guid(card.guid)
        groups.setdefault(base, []).append((ord_, card))
    notes: list[PlannedNote] = []
    for base, members in groups.items():
        original = _original(base, members, known)
        notes.extend([original] if original else _plan_group(base, members, known))
    return notes


def _original(
    base: str, members: list[tuple[int, CardData]], known: Mapping[int, int]
) -> PlannedNote | None:
    """The note the cards were read from, if they all still read as Anki showed them."""
    origins = [card.origin for _, card in members]
    first = origins[0]
    if first is None or first.notetype_id not in known:
        return None
    for (_, card), origin in zip(members, origins, strict=True):
        if (
            origin is None
            or (origin.notetype_id, origin.fields) != (first.notetype_id, first.fields)
            or origin.shown != shown_digest(card.front, card.back)
            or card.tags != members[0][1].tags
        ):
            return None
    ords = [origin.ord for origin in origins if origin is not None]
    if len(set(ords)) != len(ords):
        return None
    note = PlannedNote(
        base, ORIGINAL, list(first.fields), list(members[0][1].tags), notetype_id=first.notetype_id
    )
    note.cards = [
        _planned(origin.ord, card)
        for (_, card), origin in zip(members, origins, strict=True)
        if origin is not None
    ]
    return note


def _plan_group(
    base: str, members: list[tuple[int, CardData]], kinds: Mapping[int, int]
) -> list[PlannedNote]:
    first = members[0][1]
    if len(members) == 1 and first.kind == "roleplay":
        return [_roleplay(first)]
    same = all(
        c.kind == "flashcard" and (c.tags, c.media, c.deck) == (first.tags, first.media, first.deck)
        for _, c in members
    )
    ords = sorted(o for o, _ in members)
    if same and len(set(ords)) == len(ords):
        by_ord = dict(members)
        if ords == [0, 1] and _is_reversed_pair(by_ord[0], by_ord[1]):
            note = _basic(base, by_ord[0], REVERSED)
            note.cards.append(_planned(1, by_ord[1]))
            return [note]
        # Only a front that shows Anki's own "[…]" (or that came from a cloze note) can
        # be a cloze deletion: "[sound]", "[ˈwɔːtə]" or "[image]" on a Basic card is text.
        looks_cloze = any(
            PLACEHOLDER in c.front
            or (c.origin is not None and kinds.get(c.origin.notetype_id) == 1)
            for _, c in members
        )
        cloze_note = _cloze(base, members) if looks_cloze else None
        if cloze_note is not None:
            return [cloze_note]
    return [_basic(card.guid, card) for _, card in members]


def _is_reversed_pair(a: CardData, b: CardData) -> bool:
    return (a.front, a.back, a.images, a.back_images) == (b.back, b.front, b.back_images, b.images)


def _basic(guid: str, card: CardData, kind: str = BASIC) -> PlannedNote:
    front = text_to_html(card.front) + sound_tags(card.media) + image_tags(card.images)
    back = text_to_html(card.back) + image_tags(card.back_images)
    return PlannedNote(guid, kind, [front, back], list(card.tags), [_planned(0, card)])


def _roleplay(card: CardData) -> PlannedNote:
    fields = [
        text_to_html(card.persona),
        text_to_html(card.question) + sound_tags(card.media),
        text_to_html(card.model_answer),
        text_to_html(format_key_points(card.key_points, separator="\n")),
    ]
    return PlannedNote(card.guid, ROLEPLAY, fields, list(card.tags), [_planned(0, card)])


def _cloze(base: str, members: list[tuple[int, CardData]]) -> PlannedNote | None:
    first = members[0][1]
    back = first.back
    if any(
        (card.back, card.images, card.back_images) != (back, first.images, first.back_images)
        for _, card in members
    ):
        return None
    splits = [m.start() for m in re.finditer("\n\n", back)]
    candidates = [(back[:i], back[i + 2 :]) for i in splits] + [(back, "")]
    for text, extra in candidates:
        spans = _cloze_spans(text, members)
        if spans is not None:
            note = PlannedNote(
                base,
                CLOZE,
                [
                    _cloze_html(text, spans) + sound_tags(first.media) + image_tags(first.images),
                    text_to_html(extra) + image_tags(first.back_images),
                ],
                list(members[0][1].tags),
            )
            note.cards = [_planned(o, c) for o, c in sorted(members, key=lambda m: m[0])]
            return note
    return None


Span = tuple[int, int, int, str | None]  # start, end, cloze number, hint


def _cloze_spans(text: str, members: list[tuple[int, CardData]]) -> list[Span] | None:
    spans: list[Span] = []
    for ord_, card in members:
        found = _match_front(card.front, text)
        if not found:
            return None
        spans.extend((start, end, ord_ + 1, hint) for start, end, hint in found)
    spans.sort()
    for (_, end, _, _), (start, _, _, _) in itertools.pairwise(spans):
        if start < end:
            return None
    for start, end, _, hint in spans:
        answer = text[start:end]
        if "}}" in answer or "::" in answer or (hint and ("}}" in hint or "::" in hint)):
            return None
    return spans


def _match_front(front: str, text: str) -> list[tuple[int, int, str | None]] | None:
    """Where ``front``'s placeholders sit in ``text``, or None if they do not fit."""
    every = list(_BRACKETS.finditer(front))
    for holders in (every, [m for m in every if m.group() == PLACEHOLDER]):
        if not holders:
            continue
        pattern, pos = [], 0
        for holder in holders:
            pattern.append(re.escape(front[pos : holder.start()]))
            pattern.append("(.+?)")
            pos = holder.end()
        pattern.append(re.escape(front[pos:]))
        match = re.fullmatch("".join(pattern), text, flags=re.DOTALL)
        if match is None:
            continue
        out = []
        for i, holder in enumerate(holders, start=1):
            shown = holder.group()
            if match.group(i) == shown:
                break  # A literal bracket, not a deletion: try the narrower reading.
            hint = None if shown == PLACEHOLDER else shown[1:-1]
            out.append((match.start(i), match.end(i), hint))
        else:
            return out
    return None


def _cloze_html(text: str, spans: list[Span]) -> str:
    out, pos = [], 0
    for start, end, number, hint in spans:
        out.append(text_to_html(text[pos:start]))
        inner = text_to_html(text[start:end])
        if hint:
            inner += "::" + text_to_html(hint)
        out.append(f"{{{{c{number}::{inner}}}}}")
        pos = end
    out.append(text_to_html(text[pos:]))
    return "".join(out)
