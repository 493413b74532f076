"""The native deck document (parsed TOML or JSON) to ``DeckData`` and back, checking the
rules of ``content/README.md``. Every message names the file and the card or persona,
with the line it starts on when the document came from TOML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.formats.limits import check_field_size, media_name_problem
from app.model.deckdata import (
    CARD_KINDS,
    MAX_SCHEDULE_DAYS,
    CardData,
    DeckData,
    Glossary,
    KeyPoint,
    PersonaData,
    ScheduleData,
    key_points_problem,
)
from app.model.errors import DeckFormatError

FORMAT = "parley-deck"
VERSION = 1

_TOP_KEYS = {"format", "version", "deck", "glossary", "personas", "cards"}
_GLOSSARY_KEYS = {"terms", "acronyms", "heard_as", "options"}
_DECK_KEYS = {"name", "description"}
_PERSONA_KEYS = ("key", "name", "role", "cares_about", "voice")
_COMMON_CARD_KEYS = {"id", "kind", "tags", "media", "schedule", "deck"}
_IMAGE_KEYS = ("images", "back_images")  # flashcards only
_DECK_SEPARATOR = "::"
_KIND_KEYS = {
    "flashcard": {"front", "back", *_IMAGE_KEYS},
    "roleplay": {"persona", "question", "model_answer", "key_points"},
}
_SCHEDULE_KEYS = ("due_in_days", "interval_days", "reps", "lapses")


class _Checker:
    def __init__(self, path: Path, lines: dict[str, list[int]]) -> None:
        self.path = path
        self.lines = lines

    def where(self, section: str, index: int, ident: object = None) -> str:
        noun = "card" if section == "cards" else "persona"
        label = f"{noun} {index + 1}"
        if isinstance(ident, str) and ident:
            label += f" ({ident!r})"
        starts = self.lines.get(section, [])
        return f"line {starts[index]}, {label}" if index < len(starts) else label

    def fail(self, problem: str, where: str | None = None) -> DeckFormatError:
        return DeckFormatError(self.path, problem, where)

    def table(self, value: object, what: str, where: str | None = None) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(f"{what} must be a table", where)
        return value

    def unknown(self, table: dict[str, Any], allowed: set[str], where: str | None) -> None:
        extra = sorted(set(table) - allowed)
        if extra:
            raise self.fail(f"unknown key {extra[0]!r}", where)

    def text(self, table: dict[str, Any], key: str, where: str | None, *, required: bool) -> str:
        value = table.get(key, "")
        if not isinstance(value, str):
            raise self.fail(f"{key!r} must be text", where)
        check_field_size(value, self.path, where or key)
        if required and not value.strip():
            raise self.fail(f"{key!r} is missing or empty", where)
        return value

    def texts(self, table: dict[str, Any], key: str, where: str | None) -> list[str]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{key!r} must be a list of text", where)
        for item in value:
            check_field_size(item, self.path, where or key)
            if not item.strip():
                raise self.fail(f"{key!r} has an empty entry", where)
        return list(value)


def deck_from_document(
    doc: object, path: Path, lines: dict[str, list[int]] | None = None
) -> DeckData:
    check = _Checker(path, lines or {})
    doc = check.table(doc, "the document")
    fmt = doc.get("format")
    if fmt != FORMAT:
        raise check.fail(f"is not a Parley deck ('format' must be {FORMAT!r}, found {fmt!r})")
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise check.fail("'version' must be a whole number such as 1")
    if version > VERSION:
        raise check.fail(
            f"was written by a newer Parley (deck format version {version}); this version "
            f"reads version {VERSION}. Update Parley to import it."
        )
    check.unknown(doc, _TOP_KEYS, None)
    deck_table = check.table(doc.get("deck"), "[deck]", "[deck]")
    check.unknown(deck_table, _DECK_KEYS, "[deck]")
    deck = DeckData(
        name=check.text(deck_table, "name", "[deck]", required=True),
        description=check.text(deck_table, "description", "[deck]", required=False),
    )
    deck.glossary = _glossary(check, doc.get("glossary"))
    personas = doc.get("personas", [])
    if not isinstance(personas, list):
        raise check.fail("'personas' must be a list of tables")
    for index, raw in enumerate(personas):
        deck.personas.append(_persona(check, raw, index, deck))
    cards = doc.get("cards", [])
    if not isinstance(cards, list):
        raise check.fail("'cards' must be a list of tables")
    seen: dict[str, str] = {}
    for index, raw in enumerate(cards):
        card = _card(check, raw, index, deck)
        if card.guid in seen:
            raise check.fail(
                f"id {card.guid!r} is already used by {seen[card.guid]}",
                check.where("cards", index, card.guid),
            )
        seen[card.guid] = check.where("cards", index)
        deck.cards.append(card)
    return deck


def _glossary(check: _Checker, raw: object) -> Glossary:
    if raw is None:
        return Glossary()
    where = "[glossary]"
    table = check.table(raw, where, where)
    check.unknown(table, _GLOSSARY_KEYS, where)
    glossary = Glossary(terms=check.texts(table, "terms", where))
    for key in ("acronyms", "heard_as"):
        mapping = check.table(table.get(key, {}), f"{where} {key!r}", where)
        for short in mapping:
            if key == "acronyms":
                glossary.acronyms[short] = check.text(mapping, short, where, required=True)
            else:
                glossary.heard_as[short] = check.texts(mapping, short, where)
    options = table.get("options", [])
    if not isinstance(options, list):
        raise check.fail("'options' must be a list of lists of words", where)
    for number, group in enumerate(options, start=1):
        words = check.texts({"option": group}, "option", f"{where} option {number}")
        if not words:
            raise check.fail(f"option {number} names no words", where)
        glossary.options.append(words)
    return glossary


def _persona(check: _Checker, raw: object, index: int, deck: DeckData) -> PersonaData:
    where = check.where("personas", index, raw.get("key") if isinstance(raw, dict) else None)
    table = check.table(raw, "a persona", where)
    check.unknown(table, set(_PERSONA_KEYS), where)
    values = {key: check.text(table, key, where, required=key == "key") for key in _PERSONA_KEYS}
    if deck.persona(values["key"]) is not None:
        raise check.fail(f"persona {values['key']!r} is declared twice", where)
    return PersonaData(**values)


def _card(check: _Checker, raw: object, index: int, deck: DeckData) -> CardData:
    ident = raw.get("id") if isinstance(raw, dict) else None
    where = check.where("cards", index, ident)
    table = check.table(raw, "a card", where)
    guid = check.text(table, "id", where, required=True)
    kind = table.get("kind")
    if kind not in CARD_KINDS:
        raise check.fail(f"'kind' must be 'flashcard' or 'roleplay', found {kind!r}", where)
    check.unknown(table, _COMMON_CARD_KEYS | _KIND_KEYS[kind], where)
    card = CardData(guid=guid, kind=kind, tags=check.texts(table, "tags", where))
    card.media = check.texts(table, "media", where)
    card.images = check.texts(table, "images", where)
    card.back_images = check.texts(table, "back_images", where)
    for name in [*card.media, *card.images, *card.back_images]:
        problem = media_name_problem(name)
        if problem is not None:
            raise check.fail(problem, where)
    card.schedule = _schedule(check, table.get("schedule"), where)
    card.deck = _subdeck(check, table, where, deck.name)
    if kind == "flashcard":
        card.front = check.text(table, "front", where, required=True)
        card.back = check.text(table, "back", where, required=True)
        return card
    card.persona = check.text(table, "persona", where, required=True)
    if deck.persona(card.persona) is None:
        raise check.fail(f"persona {card.persona!r} is not declared in [[personas]]", where)
    card.question = check.text(table, "question", where, required=True)
    card.model_answer = check.text(table, "model_answer", where, required=True)
    card.key_points = _key_points(check, table.get("key_points"), where)
    return card


def _subdeck(check: _Checker, table: dict[str, Any], where: str, file_deck: str) -> str:
    """The card's ``deck``: a full path, levels joined by "::" as in Anki; "" for the
    file's own deck. A level with nothing in it is refused rather than guessed at."""
    if "deck" not in table:
        return ""
    path = check.text(table, "deck", where, required=True)
    levels = [part.strip() for part in path.split(_DECK_SEPARATOR)]
    if not all(levels):
        raise check.fail(
            f"'deck' {path!r} has an empty level; write the full path, such as "
            f"'{file_deck.strip() or 'Parent'}::Child'",
            where,
        )
    full = _DECK_SEPARATOR.join(levels)
    return "" if full == _DECK_SEPARATOR.join(p.strip() for p in file_deck.split("::")) else full


def _key_points(check: _Checker, value: object, where: str) -> list[KeyPoint]:
    if not isinstance(value, list) or not value:
        raise check.fail("a role-play needs at least one key point in 'key_points'", where)
    points = []
    for number, raw in enumerate(value, start=1):
        table = check.table(raw, f"key point {number}", where)
        check.unknown(table, {"label", "alternatives", "rejected"}, where)
        label = check.text(table, "label", where, required=True)
        alternatives = check.texts(table, "alternatives", where)
        if not alternatives:
            raise check.fail(f"key point {label!r} needs at least one alternative", where)
        points.append(KeyPoint(label, alternatives, check.texts(table, "rejected", where)))
    problem = key_points_problem(points)
    if problem is not None:
        raise check.fail(f"the role-play {problem}", where)
    return points


def _schedule(check: _Checker, value: object, where: str) -> ScheduleData | None:
    if value is None:
        return None
    table = check.table(value, "'schedule'", where)
    check.unknown(table, set(_SCHEDULE_KEYS), where)
    numbers = {}
    for key in _SCHEDULE_KEYS:
        number = table.get(key, 0)
        high = MAX_SCHEDULE_DAYS if key.endswith("_days") else 2**31 - 1
        if not isinstance(number, int) or isinstance(number, bool) or not 0 <= number <= high:
            raise check.fail(f"schedule {key!r} must be a whole number from 0 to {high}", where)
        numbers[key] = number
    return ScheduleData(
        numbers["due_in_days"], numbers["interval_days"], numbers["reps"], numbers["lapses"]
    )


def deck_to_document(deck: DeckData) -> dict[str, Any]:
    """The document for a deck, leaving out empty optional values."""
    head: dict[str, Any] = {"name": deck.name}
    if deck.description:
        head["description"] = deck.description
    doc: dict[str, Any] = {"format": FORMAT, "version": VERSION, "deck": head}
    if deck.glossary:
        doc["glossary"] = {k: v for k, v in deck.glossary.to_json().items() if v}
    if deck.personas:
        doc["personas"] = [
            {k: getattr(p, k) for k in _PERSONA_KEYS if k == "key" or getattr(p, k)}
            for p in deck.personas
        ]
    doc["cards"] = [_card_document(card) for card in deck.cards]
    return doc


def _card_document(card: CardData) -> dict[str, Any]:
    out: dict[str, Any] = {"id": card.guid, "kind": card.kind}
    if card.deck:
        out["deck"] = card.deck
    if card.kind == "flashcard":
        out.update(front=card.front, back=card.back)
    else:
        out.update(persona=card.persona, question=card.question, model_answer=card.model_answer)
    if card.tags:
        out["tags"] = list(card.tags)
    if card.media:
        out["media"] = list(card.media)
    for key in _IMAGE_KEYS:
        if card.kind == "flashcard" and getattr(card, key):
            out[key] = list(getattr(card, key))
    if card.kind == "roleplay":
        out["key_points"] = [
            {"label": p.label, "alternatives": list(p.alternatives)}
            | ({"rejected": list(p.rejected)} if p.rejected else {})
            for p in card.key_points
        ]
    if card.schedule is not None:
        out["schedule"] = {k: getattr(card.schedule, k) for k in _SCHEDULE_KEYS}
    return out
