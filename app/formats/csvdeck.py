"""CSV/TSV decks, including the header lines Anki reads and writes.

A file may start with Anki's ``#key:value`` lines (``#separator:Tab``, ``#html:true``,
``#deck:NAME``, ``#columns:Front<TAB>Back<TAB>Tags``, ``#tags:global tags``, and
``#tags column:3``, ``#guid column:1``, ``#deck column:2``, ``#notetype column:1``,
``#notetype:NAME``). Otherwise the separator is detected (tab, comma, semicolon or pipe)
and the columns come from a header row when there is one, else the first two columns
are front and back and, as in Anki, a third unlabelled one holds tags. Columns can also
be mapped to a role-play: persona, question, model answer and key points
(``label: alt1 | alt2; label2: alt3``).

A row's note type makes the cards Anki would make: Basic one card, "Basic (and reversed
card)" two, "Basic (optional reversed card)" two when its third field has text, Cloze a
card per deletion (cloze text with no note type is read as Cloze too); another name is
read as Basic and remarked on. A deck column files each card in its deck of the tree. A
row with missing trailing fields is padded; a card with an empty side is left out and
its line named in the deck's remarks; only a file with no usable row is refused.

The file must be UTF-8 (a BOM is fine); a row with more columns than the header names
is refused with its line.

Spreadsheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, so
the writer puts an apostrophe before such a cell, the way spreadsheets themselves mark
text; the reader takes one apostrophe off a cell written that way.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from app.formats import cloze
from app.formats.csvlayout import Layout, column_title, is_optional_reversed, parse_layout
from app.formats.htmltext import html_to_text, sound_tags, split_sounds
from app.formats.keypoints import format_key_points, parse_key_points
from app.formats.limits import check_field_size
from app.model.deckdata import CardData, DeckData, PersonaData, key_points_problem
from app.model.errors import DeckFormatError

CsvMapping = dict[str, int]  # role -> column index, counted from 0

# A cell a spreadsheet would run as a formula (OWASP "CSV injection"), after any
# apostrophes already there, so that every apostrophe a cell had survives a round trip.
_FORMULA = re.compile(r"'*[=+\-@\t\r]")
_NEUTRALISED = re.compile(r"'+[=+\-@\t\r]")


def neutralise_formula(cell: str) -> str:
    """``cell`` as text a spreadsheet shows and does not evaluate."""
    return "'" + cell if _FORMULA.match(cell) else cell


def restore_formula(cell: str) -> str:
    """The text ``neutralise_formula`` was given."""
    return cell[1:] if _NEUTRALISED.match(cell) else cell


class CsvRead(NamedTuple):
    deck: DeckData
    mapping: CsvMapping


@dataclass
class CsvPreview:
    separator: str
    mapping: CsvMapping
    rows: list[list[str]]
    total_rows: int
    columns: list[str] = field(default_factory=list)  # titles for the preview table
    html: bool = False
    deck_name: str | None = None


def preview_csv(path: Path, rows: int = 5, *, separator: str | None = None) -> CsvPreview:
    """What an import would see: separator, detected mapping and the first rows."""
    path = Path(path)
    layout = parse_layout(path, separator=separator, check_columns=False)
    width = max((len(cells) for _, cells in layout.records), default=0)
    return CsvPreview(
        separator=layout.separator,
        mapping=dict(layout.mapping),
        rows=[cells for _, cells in layout.records[:rows]],
        total_rows=len(layout.records),
        columns=[column_title(layout, i) for i in range(max(width, len(layout.names)))],
        html=layout.html,
        deck_name=layout.deck_name,
    )


def read_csv(
    path: Path,
    mapping: CsvMapping | None = None,
    *,
    separator: str | None = None,
    html: bool | None = None,
) -> CsvRead:
    """Read a CSV/TSV deck. ``mapping`` (role -> column from 0) overrides the detected
    one; the mapping used is returned with the deck."""
    path = Path(path)
    layout = parse_layout(path, separator=separator, mapping=mapping, check_columns=True)
    if html is not None:
        layout.html = html
    deck = DeckData(name=layout.deck_name or path.stem)
    builder = _RowBuilder(path, layout, deck)
    for line, cells in layout.records:
        builder.add(line, cells)
    if not deck.cards:
        skipped = [f"{r.reason} ({', '.join(r.where[:5])})" for r in deck.remarks]
        raise DeckFormatError(
            path,
            "has no cards to import" + (": " + "; ".join(skipped) if skipped else ""),
        )
    if layout.deck_from_column and builder.deck_names:
        deck.name = builder.deck_names.most_common(1)[0][0]
    for card in deck.cards:
        if card.deck == deck.name:
            card.deck = ""  # the file's own deck
    for line in layout.padded:
        deck.remark("converted", "row with missing trailing fields read as empty", f"line {line}")
    return CsvRead(deck, dict(layout.mapping))


_Text = dict[str, tuple[str, list[str], list[str]]]  # role -> (text, sounds, images)
_NONE: tuple[str, list[str], list[str]] = ("", [], [])
_CLOZE_MARK = re.compile(r"\{\{c\d+::")


class _RowBuilder:
    def __init__(self, path: Path, layout: Layout, deck: DeckData) -> None:
        self.path = path
        self.layout = layout
        self.deck = deck
        self.guid_lines: dict[str, int] = {}
        self.derived: Counter[str] = Counter()
        self.deck_names: Counter[str] = Counter()
        self.unmapped = layout.unmapped()

    def plain(self, raw: str, role: str = "") -> tuple[str, list[str], list[str]]:
        if self.layout.html:
            plain = html_to_text(raw)
            return plain.text, plain.sounds, plain.images
        if role == "key_points":
            return raw, [], []  # escapes may protect white space at its ends
        text, sounds = split_sounds(raw)
        return text.strip(), sounds, []

    def raw(self, cells: list[str], index: int | None, line: int) -> str:
        if index is None or index >= len(cells):
            return ""
        raw = restore_formula(cells[index])
        check_field_size(raw, self.path, f"line {line}")
        return raw

    def fail(self, problem: str, line: int) -> DeckFormatError:
        return DeckFormatError(self.path, problem, f"line {line}")

    def add(self, line: int, cells: list[str]) -> None:
        # Anki writes guids, note types, decks and tags as they are, even in an HTML
        # file (a guid may well hold "<" or "&"); only fields are HTML.
        raws = {role: self.raw(cells, i, line) for role, i in self.layout.mapping.items()}
        kind = raws.get("kind", "").strip().lower()
        if kind not in ("", "flashcard", "roleplay"):
            raise self.fail(f"kind must be 'flashcard' or 'roleplay', not {kind!r}", line)
        if not kind:
            asks = raws.get("question", "").strip() and not raws.get("front", "").strip()
            kind = "roleplay" if asks or "front" not in self.layout.mapping else "flashcard"
        tags = raws.get("tags", "").split()
        tags += [tag for tag in self.layout.tags if tag not in tags]
        deck = _deck_path(raws.get("deck", ""))
        if deck:
            self.deck_names[deck.split("::")[0]] += 1
        if kind == "roleplay":
            text = {role: self.plain(raw, role) for role, raw in raws.items()}
            cards = [self._roleplay(text, line)]
        else:
            cards = self._flashcards(raws, cells, line)
        given = raws.get("guid", "").strip()
        base = self._guid(given, cards[0] if cards else None, line)
        for suffix, card in cards:
            card.tags, card.deck = list(tags), deck
            card.guid = base if suffix == 0 else f"{base}#{suffix}"
            self.deck.cards.append(card)

    def _flashcards(self, raws: dict[str, str], cells: list[str], line: int) -> list[_Card]:
        notetype = raws.get("notetype", "").strip() or self.layout.notetype or ""
        style = _note_style(notetype, raws.get("front", ""))
        where = f"line {line}"
        if style == "other":
            self.deck.remark(
                "converted", f"note type {notetype!r} read as Basic (front and back)", where
            )
        extras = [self.raw(cells, i, line) for i in self.unmapped]
        if style == "cloze":
            if not notetype:
                self.deck.remark("converted", "cloze text read as a Cloze note", where)
            return self._cloze(raws.get("front", ""), raws.get("back", ""), line)
        reverse = style == "reversed" or (
            style == "optional" and bool(extras and extras[0].strip())
        )
        used = 1 if style == "optional" else 0
        for n, extra in enumerate(extras[used:], start=used):
            if extra.strip():
                column = self.unmapped[n] + 1
                self.deck.remark("skipped", f"text in column {column}, which no card shows", where)
        front = self.plain(raws.get("front", ""))
        back = self.plain(raws.get("back", ""))
        for side, value in (("front", front), ("back", back)):
            if not value[0] and not value[1] and not value[2]:
                self.deck.remark(
                    "skipped",
                    f"card with an empty {side}" + (" (and its reverse)" if reverse else ""),
                    where,
                )
                return []
        cards = [(0, _flashcard(front, back))]
        if reverse:
            cards.append((1, _flashcard(back, front)))
        return cards

    def _cloze(self, text_raw: str, extra_raw: str, line: int) -> list[_Card]:
        nodes = cloze.parse(text_raw)
        numbers = [n for n in cloze.numbers(nodes) if n > 0]
        if not numbers:
            self.deck.remark("skipped", "Cloze note without a deletion", f"line {line}")
            return []
        extra = self.plain(extra_raw)
        out = []
        for number in numbers:
            front = self.plain(cloze.render(nodes, number, reveal=False))
            full = self.plain(cloze.render(nodes, number, reveal=True))
            back = (
                "\n\n".join(t for t in (full[0], extra[0]) if t),
                full[1] + extra[1],
                full[2] + extra[2],
            )
            out.append((number - 1, _flashcard(front, back)))
        return out

    def _roleplay(self, text: _Text, line: int) -> _Card:
        values = {r: text.get(r, _NONE)[0] for r in ("persona", "question", "model_answer")}
        for role, value in values.items():
            if not value:
                raise self.fail(f"the role-play's {role.replace('_', ' ')} is empty", line)
        try:
            points = parse_key_points(text.get("key_points", _NONE)[0])
        except ValueError as exc:
            raise self.fail(str(exc), line) from None
        if not points:
            raise self.fail("the role-play has no key points", line)
        problem = key_points_problem(points)
        if problem is not None:
            raise self.fail(f"the role-play {problem}", line)
        if self.deck.persona(values["persona"]) is None:
            self.deck.personas.append(PersonaData(key=values["persona"]))
        sounds = [
            s for role in ("persona", "question", "model_answer") for s in text.get(role, _NONE)[1]
        ]
        return 0, CardData(
            guid="",
            kind="roleplay",
            persona=values["persona"],
            question=values["question"],
            model_answer=values["model_answer"],
            key_points=points,
            media=list(dict.fromkeys(sounds)),
        )

    def _guid(self, given: str, first: _Card | None, line: int) -> str:
        if given:
            if given in self.guid_lines:
                raise self.fail(
                    f"guid {given!r} is already used on line {self.guid_lines[given]}", line
                )
            self.guid_lines[given] = line
            return given
        if first is None:
            return ""
        card = first[1]
        shown = card.front if card.kind == "flashcard" else card.question
        normalised = " ".join(shown.casefold().split())
        guid = "csv-" + hashlib.sha1(normalised.encode("utf-8")).hexdigest()[:16]
        self.derived[guid] += 1
        if self.derived[guid] > 1:
            guid = f"{guid}-{self.derived[guid]}"
        return guid


_Card = tuple[int, CardData]  # (ordinal within its note, card)


def _flashcard(
    front: tuple[str, list[str], list[str]], back: tuple[str, list[str], list[str]]
) -> CardData:
    images = list(dict.fromkeys(front[2]))
    return CardData(
        guid="",
        kind="flashcard",
        front=front[0] or ("[image]" if front[2] else "[sound]"),
        back=back[0] or ("[image]" if back[2] else "[sound]"),
        media=list(dict.fromkeys(front[1] + back[1])),
        images=images,
        back_images=[name for name in dict.fromkeys(back[2]) if name not in images],
    )


def _deck_path(name: str) -> str:
    """A deck column's value as a full path: levels stripped, empty ones dropped."""
    return "::".join(part.strip() for part in name.split("::") if part.strip())


def _note_style(notetype: str, front: str) -> str:
    """How a row's note type makes cards: "basic", "reversed" (two cards), "optional"
    (a reverse card when its third field has text), "cloze" or "other" (read as Basic)."""
    name = notetype.casefold().strip()
    if not name:
        return "cloze" if _CLOZE_MARK.search(front) else "basic"
    if name in ("basic", "basic (type in the answer)"):
        return "basic"
    if name == "basic (and reversed card)":
        return "reversed"
    if is_optional_reversed(name):
        return "optional"
    if "cloze" in name:
        return "cloze"
    return "other"


_WRITE_COLUMNS = {
    "flashcard": ["guid", "front", "back", "tags"],
    "mixed": [
        "guid",
        "kind",
        "front",
        "back",
        "persona",
        "question",
        "model_answer",
        "key_points",
        "tags",
    ],
}
_TITLES = {
    "guid": "GUID",
    "kind": "Kind",
    "front": "Front",
    "back": "Back",
    "tags": "Tags",
    "persona": "Persona",
    "question": "Question",
    "model_answer": "Model answer",
    "key_points": "Key points",
    "deck": "Deck",
}


def dumps_csv(deck: DeckData, separator: str = "\t") -> str:
    """CSV text with Anki header lines, so that Parley and Anki both re-import it."""
    layout = "mixed" if any(c.kind == "roleplay" for c in deck.cards) else "flashcard"
    columns = list(_WRITE_COLUMNS[layout])
    if any(card.deck for card in deck.cards):  # a tree: each card names its deck
        columns.insert(columns.index("tags"), "deck")
    name = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(separator, separator)
    out = io.StringIO()
    out.write(f"#separator:{name}\n#html:false\n")
    if deck.name.strip():
        out.write(f"#deck:{' '.join(deck.name.split())}\n")
    if layout == "flashcard":
        out.write("#notetype:Basic\n")
    out.write(f"#columns:{separator.join(_TITLES[c] for c in columns)}\n")
    out.write(f"#guid column:{columns.index('guid') + 1}\n")
    out.write(f"#tags column:{columns.index('tags') + 1}\n")
    if "deck" in columns:
        out.write(f"#deck column:{columns.index('deck') + 1}\n")
    plain = csv.writer(out, delimiter=separator, lineterminator="\n")
    quoted = csv.writer(out, delimiter=separator, lineterminator="\n", quoting=csv.QUOTE_ALL)
    cards = deck.cards
    if "deck" in columns:
        # Anki files a row naming a parent deck under "Parent+" when a row of one of its
        # children came first (Anki 26.09); parents first avoids that.
        cards = sorted(cards, key=lambda card: _cell(card, "deck", deck.name).split("::"))
    for card in cards:
        row = [neutralise_formula(_cell(card, column, deck.name)) for column in columns]
        # A row starting with "#" would be read back as a header line, and the csv module
        # does not quote a lone carriage return by itself.
        awkward = row[0].startswith("#") or any("\r" in cell for cell in row)
        (quoted if awkward else plain).writerow(row)
    return out.getvalue()


def _cell(card: CardData, column: str, deck_name: str) -> str:
    if column == "guid":
        return card.guid
    if column == "deck":
        return card.deck or " ".join(deck_name.split())
    if column == "tags":
        return " ".join("_".join(tag.split()) for tag in card.tags)
    if column == "key_points":
        return format_key_points(card.key_points) if card.kind == "roleplay" else ""
    if column == "kind":
        return card.kind
    value: str = getattr(card, column)
    first_field = "front" if card.kind == "flashcard" else "question"
    if column == first_field and card.media:
        value += sound_tags(card.media)
    return value


def write_csv(deck: DeckData, path: Path, separator: str | None = None) -> None:
    path = Path(path)
    if separator is None:
        separator = "," if path.suffix.lower() == ".csv" else "\t"
    path.write_text(dumps_csv(deck, separator), encoding="utf-8", newline="")
