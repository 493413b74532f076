"""Grouping Parley cards back into Anki notes for export.

Reading a package turns one reversed note into two cards (``G`` and ``G#1``) and one
cloze note into a card per deletion (``G``, ``G#1``, ...). Exporting undoes that when the
cards still fit together — a reversed pair has swapped sides; a cloze group's fronts are
one text with ``[…]``/``[hint]`` where its backs show the answers — so the note goes back
to Anki with its guid, fields and tags. Anything else becomes one Basic note per card.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from app.core.deckdata import CardData, ScheduleData
from app.formats.cloze import PLACEHOLDER
from app.formats.htmltext import sound_tags, text_to_html
from app.formats.keypoints import format_key_points

BASIC, REVERSED, CLOZE, ROLEPLAY = "basic", "reversed", "cloze", "roleplay"

_GUID_ORD = re.compile(r"^(.+)#(\d{1,3})$")
_BRACKETS = re.compile(r"\[[^\[\]\n]*\]")


@dataclass
class PlannedNote:
    guid: str
    kind: str  # BASIC, REVERSED, CLOZE or ROLEPLAY
    fields: list[str]  # HTML, as Anki stores them
    tags: list[str]
    # (template or cloze ord, schedule) for each card the note should have.
    cards: list[tuple[int, ScheduleData | None]] = field(default_factory=list)


def split_guid(guid: str) -> tuple[str, int]:
    match = _GUID_ORD.match(guid)
    if match is None:
        return guid, 0
    return match.group(1), int(match.group(2))


def plan_notes(cards: list[CardData]) -> list[PlannedNote]:
    groups: dict[str, list[tuple[int, CardData]]] = {}
    for card in cards:
        if card.kind == "roleplay":
            groups.setdefault(card.guid, []).append((0, card))
            continue
        base, ord_ = split_guid(card.guid)
        groups.setdefault(base, []).append((ord_, card))
    notes: list[PlannedNote] = []
    for base, members in groups.items():
        notes.extend(_plan_group(base, members))
    return notes


def _plan_group(base: str, members: list[tuple[int, CardData]]) -> list[PlannedNote]:
    first = members[0][1]
    if len(members) == 1 and first.kind == "roleplay":
        return [_roleplay(first)]
    same = all(
        c.kind == "flashcard" and c.tags == first.tags and c.media == first.media
        for _, c in members
    )
    ords = sorted(o for o, _ in members)
    if same and len(set(ords)) == len(ords):
        by_ord = dict(members)
        if ords == [0, 1] and _is_reversed_pair(by_ord[0], by_ord[1]):
            note = _basic(base, by_ord[0], REVERSED)
            note.cards.append((1, by_ord[1].schedule))
            return [note]
        cloze_note = _cloze(base, members) if "[" in first.front else None
        if cloze_note is not None:
            return [cloze_note]
    return [_basic(card.guid, card) for _, card in members]


def _is_reversed_pair(a: CardData, b: CardData) -> bool:
    return a.front == b.back and a.back == b.front


def _basic(guid: str, card: CardData, kind: str = BASIC) -> PlannedNote:
    front = text_to_html(card.front) + sound_tags(card.media)
    return PlannedNote(
        guid, kind, [front, text_to_html(card.back)], list(card.tags), [(0, card.schedule)]
    )


def _roleplay(card: CardData) -> PlannedNote:
    fields = [
        text_to_html(card.persona),
        text_to_html(card.question) + sound_tags(card.media),
        text_to_html(card.model_answer),
        text_to_html(format_key_points(card.key_points, separator="\n")),
    ]
    return PlannedNote(card.guid, ROLEPLAY, fields, list(card.tags), [(0, card.schedule)])


def _cloze(base: str, members: list[tuple[int, CardData]]) -> PlannedNote | None:
    back = members[0][1].back
    if any(card.back != back for _, card in members):
        return None
    splits = [m.start() for m in re.finditer("\n\n", back)]
    candidates = [(back[:i], back[i + 2 :]) for i in splits] + [(back, "")]
    for text, extra in candidates:
        spans = _cloze_spans(text, members)
        if spans is not None:
            note = PlannedNote(
                base,
                CLOZE,
                [_cloze_html(text, spans) + sound_tags(members[0][1].media), text_to_html(extra)],
                list(members[0][1].tags),
            )
            note.cards = [(o, c.schedule) for o, c in sorted(members, key=lambda m: m[0])]
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
