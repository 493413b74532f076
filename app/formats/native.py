"""Parley's native deck format: one TOML file a person can write and review (spec in
``content/README.md``), and the same document as JSON.

Beyond the README, a card may carry ``media = ["file.mp3"]``, a flashcard
``images``/``back_images`` (the pictures of its front and of its answer), and
``schedule = { due_in_days, interval_days, reps, lapses }`` so that every field of a
deck survives an export and a re-import; media files live in a ``<stem>.media`` folder
beside the deck file.
"""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from pathlib import Path
from typing import Any

import tomli_w

from app.formats.limits import MAX_FIELD_BYTES, Staging, human_size, media_name_problem
from app.formats.native_schema import FORMAT, VERSION, deck_from_document, deck_to_document
from app.formats.textfile import read_text
from app.model.deckdata import DeckData
from app.model.errors import DeckFormatError

_TOML_POSITION = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)\s*$")


def media_folder(deck_path: Path) -> Path:
    return deck_path.with_name(f"{deck_path.stem}.media")


def parse_native(text: str, path_for_messages: Path | str) -> DeckData:
    """Parse the TOML text of a deck; media are not looked up."""
    path = Path(path_for_messages)
    if not text.strip():
        raise DeckFormatError(path, "is empty")
    _refuse_huge_lines(text, path)
    try:
        doc = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _TOML_POSITION.search(message)
        where = None
        if match is not None:
            message = message[: match.start()]
            where = f"line {match.group(1)}" if match.group(1) else "end of file"
        raise DeckFormatError(path, f"is not valid TOML: {message}", where) from None
    except RecursionError:
        raise DeckFormatError(path, "is not valid TOML: nested too deeply") from None
    return deck_from_document(doc, path, _toml_lines(text))


def _refuse_huge_lines(text: str, path: Path) -> None:
    """A line longer than a field may be is refused before the (slow) TOML parser sees it."""
    if len(text) <= MAX_FIELD_BYTES:
        return
    for number, line in enumerate(text.split("\n"), start=1):
        if len(line) > MAX_FIELD_BYTES:
            raise DeckFormatError(
                path,
                f"a line is longer than the {human_size(MAX_FIELD_BYTES)} field limit",
                f"line {number}",
            )


def parse_native_json(text: str, path_for_messages: Path | str) -> DeckData:
    """Parse the JSON variant of a deck: the same document as the TOML, as JSON."""
    path = Path(path_for_messages)
    if not text.strip():
        raise DeckFormatError(path, "is empty")
    try:
        doc = json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        raise DeckFormatError(
            path, f"is not valid JSON: {exc.msg} (column {exc.colno})", f"line {exc.lineno}"
        ) from None
    except RecursionError:
        raise DeckFormatError(path, "is not valid JSON: nested too deeply") from None
    return deck_from_document(doc, path, {})


def _toml_lines(text: str) -> dict[str, list[int]]:
    """Line numbers of ``[[cards]]`` and ``[[personas]]`` headers, in order, so that a
    problem with the 5th card can name the line it starts on."""
    lines: dict[str, list[int]] = {"cards": [], "personas": []}
    for number, line in enumerate(text.splitlines(), start=1):
        match = re.match(r"\s*\[\[\s*(cards|personas)\s*\]\]", line)
        if match:
            lines[match.group(1)].append(number)
    return lines


def read_native(path: Path, *, staging_dir: Path | None = None, **_ignored: object) -> DeckData:
    """Read a ``.toml`` (or ``.json``) deck; media found in ``<stem>.media`` are copied
    into ``staging_dir`` for the caller to move."""
    path = Path(path)
    text = read_text(path)
    if path.suffix.lower() == ".json":
        deck = parse_native_json(text, path)
    else:
        deck = parse_native(text, path)
    stage_media(deck, path, staging_dir)
    return deck


def stage_media(deck: DeckData, path: Path, staging_dir: Path | None) -> None:
    """Copy the media the cards play or show from ``<stem>.media`` into the staging folder."""
    folder = media_folder(path)
    if not folder.is_dir():
        return
    staging = Staging(staging_dir)
    names = (name for card in deck.cards for name in [*card.media, *card.images, *card.back_images])
    for name in dict.fromkeys(names):
        source = folder / name
        if source.is_file():
            target = staging.new_path(name)
            shutil.copyfile(source, target)
            deck.media_files[name] = target


def dumps_native(deck: DeckData) -> str:
    """The TOML text of a deck, laid out like the hand-written decks."""
    doc = deck_to_document(deck)
    out = [f"format = {_one_line(FORMAT)}", f"version = {VERSION}", "", "[deck]"]
    out.extend(_assignments(doc["deck"]))
    if "glossary" in doc:
        out += ["", "[glossary]", *_assignments(doc["glossary"])]
    for persona in doc.get("personas", []):
        out += ["", "[[personas]]", *_assignments(persona)]
    for card in doc.get("cards", []):
        out += ["", "[[cards]]", *_assignments(card)]
    return "\n".join(out) + "\n"


def _assignments(table: dict[str, Any]) -> list[str]:
    lines = []
    for key, value in table.items():
        if key == "key_points":
            lines.append("key_points = [")
            for point in value:
                alternatives = ", ".join(_one_line(a) for a in point["alternatives"])
                rejected = ", ".join(_one_line(a) for a in point.get("rejected", []))
                extra = f", rejected = [{rejected}]" if rejected else ""
                lines.append(
                    f"  {{ label = {_one_line(point['label'])}, "
                    f"alternatives = [{alternatives}]{extra} }},"
                )
            lines.append("]")
        elif isinstance(value, dict):  # glossary acronyms, heard_as; a schedule
            items = ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items())
            lines.append(f"{key} = {{ {items} }}")
        elif key == "options":
            groups = ", ".join(f"[{', '.join(_one_line(w) for w in g)}]" for g in value)
            lines.append(f"options = [{groups}]")
        elif isinstance(value, list):
            lines.append(f"{key} = [{', '.join(_one_line(v) for v in value)}]")
        elif isinstance(value, str) and "\n" in value and "\r" not in value:
            # Multi-line strings read CRLF back as LF, so text with CR stays on one line.
            lines.append(tomli_w.dumps({key: value}, multiline_strings=True).rstrip("\n"))
        else:
            lines.append(tomli_w.dumps({key: value}).rstrip("\n"))
    return lines


def _key(name: str) -> str:
    return tomli_w.dumps({name: 0}).split(" = ")[0]


def _value(value: object) -> str:
    if isinstance(value, list):
        return f"[{', '.join(_one_line(str(v)) for v in value)}]"
    return tomli_w.dumps({"v": value})[4:].rstrip("\n")


def _one_line(value: str) -> str:
    return tomli_w.dumps({"v": value})[4:].rstrip("\n")


def write_native(deck: DeckData, path: Path, *, media_dir: Path | None = None) -> None:
    """Write a TOML deck; media files go to ``media_dir``, by default ``<stem>.media``
    beside it (pass the final file's folder when writing to a temporary name)."""
    path = Path(path)
    path.write_text(dumps_native(deck), encoding="utf-8")
    _write_media(deck, path, media_dir)


def write_native_json(deck: DeckData, path: Path, *, media_dir: Path | None = None) -> None:
    path = Path(path)
    text = json.dumps(deck_to_document(deck), ensure_ascii=False, indent=2)
    path.write_text(text + "\n", encoding="utf-8")
    _write_media(deck, path, media_dir)


def _write_media(deck: DeckData, path: Path, media_dir: Path | None) -> None:
    if not deck.media_files:
        return
    folder = media_dir or media_folder(path)
    folder.mkdir(exist_ok=True)
    for name, source in deck.media_files.items():
        problem = media_name_problem(name)
        if problem is not None:
            raise DeckFormatError(path, problem)
        if not Path(source).is_file():
            raise DeckFormatError(path, f"media file {name!r} is missing ({source})")
        shutil.copyfile(source, folder / name)
