"""CSV/TSV decks, including the header lines Anki reads and writes.

A file may start with Anki's ``#key:value`` lines (``#separator:Tab``, ``#html:true``,
``#deck:NAME``, ``#columns:Front<TAB>Back<TAB>Tags``, ``#tags column:3``,
``#guid column:1``, ``#notetype...``). Otherwise the separator is detected (tab, comma,
semicolon or pipe) and the columns come from a header row when there is one, else the
first two columns are front and back. Columns can also be mapped to a role-play:
persona, question, model answer and key points (``label: alt1 | alt2; label2: alt3``).

The file must be UTF-8 (a BOM is fine) and every row must have the same number of
columns; anything else is refused with the line it happens on.

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

from app.core.deckdata import CardData, DeckData, PersonaData, key_points_problem
from app.core.errors import DeckFormatError
from app.formats.csvlayout import (
    Layout,
    column_title,
    parse_layout,
)
from app.formats.htmltext import html_to_text, sound_tags, split_sounds
from app.formats.keypoints import format_key_points, parse_key_points
from app.formats.limits import check_field_size

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
        raise DeckFormatError(path, "has no cards, only header lines")
    if layout.deck_from_column and builder.deck_names:
        deck.name = builder.deck_names.most_common(1)[0][0]
    return CsvRead(deck, dict(layout.mapping))


class _RowBuilder:
    def __init__(self, path: Path, layout: Layout, deck: DeckData) -> None:
        self.path = path
        self.layout = layout
        self.deck = deck
        self.guid_lines: dict[str, int] = {}
        self.derived: Counter[str] = Counter()
        self.deck_names: Counter[str] = Counter()

    def cell(self, cells: list[str], role: str, line: int) -> tuple[str, list[str]]:
        index = self.layout.mapping.get(role)
        if index is None or index >= len(cells):
            return "", []
        raw = restore_formula(cells[index])
        check_field_size(raw, self.path, f"line {line}")
        if self.layout.html:
            plain = html_to_text(raw)
            return plain.text, plain.sounds
        if role == "key_points":
            return raw, []  # escapes may protect white space at its ends
        text, sounds = split_sounds(raw)
        return text.strip(), sounds

    def fail(self, problem: str, line: int) -> DeckFormatError:
        return DeckFormatError(self.path, problem, f"line {line}")

    def add(self, line: int, cells: list[str]) -> None:
        text = {role: self.cell(cells, role, line) for role in self.layout.mapping}
        kind = text.get("kind", ("", []))[0].lower()
        if kind not in ("", "flashcard", "roleplay"):
            raise self.fail(f"kind must be 'flashcard' or 'roleplay', not {kind!r}", line)
        if not kind:
            asks = text.get("question", ("", []))[0] and not text.get("front", ("", []))[0]
            kind = "roleplay" if asks or "front" not in self.layout.mapping else "flashcard"
        media = list(dict.fromkeys(s for _, sounds in text.values() for s in sounds))
        tags = text.get("tags", ("", []))[0].split()
        if "deck" in text and text["deck"][0]:
            self.deck_names[text["deck"][0].split("::")[0].strip()] += 1
        card = self._flashcard(text, line) if kind == "flashcard" else self._roleplay(text, line)
        card.tags, card.media = tags, media
        card.guid = self._guid(text.get("guid", ("", []))[0], card, line)
        self.deck.cards.append(card)

    def _flashcard(self, text: dict[str, tuple[str, list[str]]], line: int) -> CardData:
        front, back = text.get("front", ("", []))[0], text.get("back", ("", []))[0]
        if not front:
            raise self.fail("the front is empty", line)
        if not back:
            raise self.fail("the back is empty", line)
        return CardData(guid="", kind="flashcard", front=front, back=back)

    def _roleplay(self, text: dict[str, tuple[str, list[str]]], line: int) -> CardData:
        values = {r: text.get(r, ("", []))[0] for r in ("persona", "question", "model_answer")}
        for role, value in values.items():
            if not value:
                raise self.fail(f"the role-play's {role.replace('_', ' ')} is empty", line)
        try:
            points = parse_key_points(text.get("key_points", ("", []))[0])
        except ValueError as exc:
            raise self.fail(str(exc), line) from None
        if not points:
            raise self.fail("the role-play has no key points", line)
        problem = key_points_problem(points)
        if problem is not None:
            raise self.fail(f"the role-play {problem}", line)
        if self.deck.persona(values["persona"]) is None:
            self.deck.personas.append(PersonaData(key=values["persona"]))
        return CardData(
            guid="",
            kind="roleplay",
            persona=values["persona"],
            question=values["question"],
            model_answer=values["model_answer"],
            key_points=points,
        )

    def _guid(self, given: str, card: CardData, line: int) -> str:
        if given:
            if given in self.guid_lines:
                raise self.fail(
                    f"guid {given!r} is already used on line {self.guid_lines[given]}", line
                )
            self.guid_lines[given] = line
            return given
        first = card.front if card.kind == "flashcard" else card.question
        normalised = " ".join(first.casefold().split())
        guid = "csv-" + hashlib.sha1(normalised.encode("utf-8")).hexdigest()[:16]
        self.derived[guid] += 1
        if self.derived[guid] > 1:
            guid = f"{guid}-{self.derived[guid]}"
        return guid


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
}


def dumps_csv(deck: DeckData, separator: str = "\t") -> str:
    """CSV text with Anki header lines, so that Parley and Anki both re-import it."""
    layout = "mixed" if any(c.kind == "roleplay" for c in deck.cards) else "flashcard"
    columns = _WRITE_COLUMNS[layout]
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
    plain = csv.writer(out, delimiter=separator, lineterminator="\n")
    quoted = csv.writer(out, delimiter=separator, lineterminator="\n", quoting=csv.QUOTE_ALL)
    for card in deck.cards:
        row = [neutralise_formula(_cell(card, column)) for column in columns]
        # A row starting with "#" would be read back as a header line, and the csv module
        # does not quote a lone carriage return by itself.
        awkward = row[0].startswith("#") or any("\r" in cell for cell in row)
        (quoted if awkward else plain).writerow(row)
    return out.getvalue()


def _cell(card: CardData, column: str) -> str:
    if column == "guid":
        return card.guid
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
