"""Working out how a CSV deck is laid out: Anki header lines, separator, header row,
which column holds what, and the records with the line each one starts on."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from app.formats.limits import MAX_FIELD_BYTES, human_size
from app.formats.textfile import read_text
from app.model.errors import DeckFormatError

ROLES = (
    "guid",
    "kind",
    "front",
    "back",
    "tags",
    "persona",
    "question",
    "model_answer",
    "key_points",
    "deck",
    "notetype",
)
CANDIDATE_SEPARATORS = ("\t", ",", ";", "|")
SEPARATOR_NAMES = {
    "tab": "\t",
    "comma": ",",
    "semicolon": ";",
    "pipe": "|",
    "space": " ",
    "colon": ":",
}
_ALIASES = {
    "guid": "guid",
    "id": "guid",
    "noteid": "guid",
    "kind": "kind",
    "cardkind": "kind",
    "front": "front",
    "term": "front",
    "prompt": "front",
    "word": "front",
    "text": "front",
    "back": "back",
    "answer": "back",
    "definition": "back",
    "meaning": "back",
    "tags": "tags",
    "tag": "tags",
    "persona": "persona",
    "stakeholder": "persona",
    "question": "question",
    "modelanswer": "model_answer",
    "keypoints": "key_points",
    "deck": "deck",
    "notetype": "notetype",
}
_SAMPLE_CHARS = 64 * 1024

# The csv module refuses fields over its own limit (128 KiB by default); ours is larger
# and checked with a message that names the line.
if csv.field_size_limit() < MAX_FIELD_BYTES + 1:
    csv.field_size_limit(MAX_FIELD_BYTES + 1)


@dataclass
class Layout:
    separator: str
    html: bool
    mapping: dict[str, int]
    names: list[str] = field(default_factory=list)  # column titles, when the file has them
    deck_name: str | None = None
    deck_from_column: bool = False
    records: list[tuple[int, list[str]]] = field(default_factory=list)  # (line, cells)
    notetype: str | None = None  # Anki's "#notetype:NAME", for every row
    tags: list[str] = field(default_factory=list)  # Anki's "#tags:", added to every card
    padded: list[int] = field(default_factory=list)  # lines of rows missing trailing fields
    _width: int | None = None

    def width(self) -> int:
        """Columns per row: the header's, else the widest row's (shorter rows are
        padded, as Anki does)."""
        if self.names:
            return len(self.names)
        if self._width is None:
            self._width = max((len(cells) for _, cells in self.records), default=0)
        return self._width

    def unmapped(self) -> list[int]:
        """The columns no role reads, in order: a note type's further fields."""
        taken = set(self.mapping.values())
        return [i for i in range(self.width()) if i not in taken]


def column_title(layout: Layout, index: int) -> str:
    if index < len(layout.names) and layout.names[index]:
        return layout.names[index]
    return f"Column {index + 1}"


def role_of(name: str) -> str | None:
    return _ALIASES.get(re.sub(r"[\s_\-]+", "", name.casefold()))


def parse_layout(
    path: Path,
    *,
    separator: str | None = None,
    mapping: dict[str, int] | None = None,
    check_columns: bool,
) -> Layout:
    text = read_text(path)
    if not text.strip():
        raise DeckFormatError(path, "is empty")
    lines = text.splitlines(keepends=True)
    headers, header_count = _anki_headers(lines)
    body = "".join(lines[header_count:])
    if not body.strip():
        raise DeckFormatError(path, "has no cards, only header lines")
    html = headers.get("html", "").lower() == "true"
    chosen = separator or _separator_from_header(headers.get("separator"), path)
    chosen = chosen or detect_separator(body)
    if chosen is None:
        raise DeckFormatError(
            path,
            "has only one column; put the front and the back in separate columns "
            "(separated by a tab, comma, semicolon or |)",
            f"line {header_count + 1}",
        )
    records = _records(body, chosen, header_count, path)
    if not records:
        raise DeckFormatError(path, "has no cards, only header lines")
    names: list[str] = []
    if "columns" in headers:
        names = next(csv.reader([headers["columns"]], delimiter=chosen), [])
    elif _looks_like_header(records[0][1]):
        names = records.pop(0)[1]
    layout = Layout(chosen, html, {}, [n.strip() for n in names], headers.get("deck") or None)
    layout.records = records
    layout.notetype = headers.get("notetype") or None
    layout.tags = headers.get("tags", "").split()
    layout.mapping = dict(mapping) if mapping is not None else _detect_mapping(layout, headers)
    layout.deck_from_column = "deck" in layout.mapping and not layout.deck_name
    if check_columns:
        _check(layout, path)
    return layout


def _anki_headers(lines: list[str]) -> tuple[dict[str, str], int]:
    headers: dict[str, str] = {}
    count = 0
    for line in lines:
        if not line.startswith("#"):
            break
        count += 1
        key, sep, value = line[1:].rstrip("\r\n").partition(":")
        if sep:
            headers[key.strip().lower()] = (
                value if key.strip().lower() == "columns" else value.strip()
            )
    return headers, count


def _separator_from_header(value: str | None, path: Path) -> str | None:
    if value is None:
        return None
    named = SEPARATOR_NAMES.get(value.strip().lower())
    if named:
        return named
    if len(value) == 1 and value not in '"\r\n':
        return value
    raise DeckFormatError(path, f"#separator:{value} is not a separator Parley knows", "line 1")


def detect_separator(body: str) -> str | None:
    """The separator that splits the first lines into the same number (2+) of columns."""
    sample = body[:_SAMPLE_CHARS]
    if len(body) > _SAMPLE_CHARS and "\n" in sample:
        sample = sample[: sample.rfind("\n")]
    try:
        sniffed: str | None = (
            csv.Sniffer().sniff(sample, delimiters="".join(CANDIDATE_SEPARATORS)).delimiter
        )
    except csv.Error:
        sniffed = None
    best: tuple[float, bool, int] | None = None
    chosen = None
    for rank, sep in enumerate(CANDIDATE_SEPARATORS):
        try:
            counts = [len(row) for row in csv.reader(io.StringIO(sample), delimiter=sep) if row]
        except csv.Error:
            continue
        if not counts:
            continue
        width, hits = Counter(counts).most_common(1)[0]
        if width < 2:
            continue
        score = (hits / len(counts), sep == sniffed, -rank)
        if best is None or score > best:
            best, chosen = score, sep
    return chosen


def _records(body: str, sep: str, offset: int, path: Path) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=sep)
    records = []
    start = 1
    try:
        for row in reader:
            line = offset + start
            start = reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            records.append((line, row))
    except csv.Error as exc:
        problem = str(exc)
        if "field larger than field limit" in problem:
            problem = f"a field is larger than the {human_size(MAX_FIELD_BYTES)} limit"
        raise DeckFormatError(
            path, f"cannot be read as CSV: {problem}", f"line {offset + start}"
        ) from None
    return records


def _looks_like_header(cells: list[str]) -> bool:
    roles = [role_of(cell) for cell in cells]
    known = {r for r in roles if r}
    return len(known) >= 2 and sum(1 for r in roles if r) * 2 >= len(cells)


def _detect_mapping(layout: Layout, headers: dict[str, str]) -> dict[str, int]:
    mapping: dict[str, int] = {}
    for index, name in enumerate(layout.names):
        role = role_of(name)
        if role and role not in mapping:
            mapping[role] = index
    for role in ("tags", "guid", "deck", "notetype"):
        number = headers.get(f"{role} column", "")
        if number.isdigit() and int(number) >= 1:
            mapping[role] = int(number) - 1
    if not ({"front", "question"} & mapping.keys()):
        free = [i for i in range(layout.width()) if i not in mapping.values()]
        for role, index in zip(("front", "back"), free, strict=False):
            mapping.setdefault(role, index)
        # Like Anki, a column past the note type's fields holds the tags when no header
        # line says otherwise (the optional reversed note type has a third field).
        fields = 3 if is_optional_reversed(layout.notetype) else 2
        if "tags" not in mapping and not layout.names and len(free) > fields:
            mapping["tags"] = free[fields]
    return mapping


def is_optional_reversed(notetype: str | None) -> bool:
    return (notetype or "").casefold().strip() == "basic (optional reversed card)"


def _check(layout: Layout, path: Path) -> None:
    unknown = sorted(set(layout.mapping) - set(ROLES))
    if unknown:
        raise DeckFormatError(path, f"the column mapping names an unknown role {unknown[0]!r}")
    width = layout.width()
    for role, index in layout.mapping.items():
        if not 0 <= index < width:
            raise DeckFormatError(
                path,
                f"the {role.replace('_', ' ')} column ({index + 1}) does not exist; "
                f"the file has {width} columns",
            )
    roles = layout.mapping.keys()
    if not (
        {"front", "back"} <= roles or {"persona", "question", "model_answer", "key_points"} <= roles
    ):
        raise DeckFormatError(
            path,
            "needs a front and a back column, or persona, question, model answer "
            "and key points columns",
        )
    for line, cells in layout.records:
        if len(cells) > width:
            raise DeckFormatError(
                path,
                f"has {len(cells)} columns where the file has {width}; "
                "a separator inside a field needs quotes around the field",
                f"line {line}",
            )
        if len(cells) < width:  # Anki leaves empty trailing fields out; so do people
            cells.extend([""] * (width - len(cells)))
            layout.padded.append(line)
