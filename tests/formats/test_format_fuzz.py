"""Whatever a user feeds the CSV and native readers, they either read it or explain why
with a DeckFormatError; and whatever Parley writes, it reads back unchanged."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.formats.csvdeck import dumps_csv, preview_csv, read_csv
from app.formats.csvlayout import ROLES
from app.formats.keypoints import format_key_points, parse_key_points
from app.formats.native import dumps_native, parse_native, parse_native_json
from app.formats.native_schema import deck_to_document
from app.model.deckdata import CardData, DeckData, KeyPoint, PersonaData, ScheduleData
from app.model.errors import DeckFormatError

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)
words = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=30).filter(
    lambda s: s.strip() != ""
)
# CSV cells are trimmed and cannot hold NUL; "[sound:x]" in text means a media reference.
cell_text = words.map(lambda s: s.replace("\x00", "")).filter(
    lambda s: s.strip() == s and s != "" and "[sound:" not in s
)
tag = st.text(
    st.characters(blacklist_categories=("Cs", "Zs", "Cc", "Zl", "Zp")), min_size=1, max_size=12
).filter(lambda s: not any(ch.isspace() for ch in s))
media_name = st.from_regex(r"[A-Za-z0-9_-]{1,12}\.(mp3|ogg|wav)", fullmatch=True)
schedule = st.builds(ScheduleData, *(st.integers(0, 5000) for _ in range(4)))


def key_point(text: st.SearchStrategy[str]) -> st.SearchStrategy[KeyPoint]:
    return st.builds(KeyPoint, text, st.lists(text, min_size=1, max_size=3))


@st.composite
def decks(draw: st.DrawFn, *, text: st.SearchStrategy[str], for_csv: bool) -> DeckData:
    persona_keys = draw(st.lists(text, min_size=1, max_size=3, unique=True))
    personas = [
        PersonaData(key, *(("",) * 4 if for_csv else (draw(any_text) for _ in range(4))))
        for key in persona_keys
    ]
    guids = draw(
        st.lists(
            text.filter(lambda s: "\n" not in s and "\r" not in s),
            min_size=1,
            max_size=6,
            unique=True,
        )
    )
    cards = []
    for guid in guids:
        tags = draw(st.lists(tag, max_size=3))
        media = draw(st.lists(media_name, max_size=2, unique=True))
        card_schedule = None if for_csv else draw(st.none() | schedule)
        if draw(st.booleans()):
            cards.append(
                CardData(
                    guid=guid,
                    kind="flashcard",
                    front=draw(text),
                    back=draw(text),
                    tags=tags,
                    media=media,
                    schedule=card_schedule,
                )
            )
        else:
            cards.append(
                CardData(
                    guid=guid,
                    kind="roleplay",
                    persona=draw(st.sampled_from(persona_keys)),
                    question=draw(text),
                    model_answer=draw(text),
                    key_points=draw(
                        st.lists(key_point(words if for_csv else text), min_size=1, max_size=3)
                    ),
                    tags=tags,
                    media=media,
                    schedule=card_schedule,
                )
            )
    used = {c.persona for c in cards}
    return DeckData(
        name=draw(text),
        description="" if for_csv else draw(any_text),
        personas=[p for p in personas if not for_csv or p.key in used],
        cards=cards,
    )


@FUZZ
@given(decks(text=words, for_csv=False))
def test_a_native_deck_reads_back_exactly_what_was_written(deck: DeckData) -> None:
    again = parse_native(dumps_native(deck), "fuzz.toml")
    from_json = parse_native_json(json.dumps(deck_to_document(deck)), "fuzz.json")

    assert again == deck
    assert from_json == deck


@FUZZ
@given(decks(text=cell_text, for_csv=True), st.sampled_from(["\t", ",", ";", "|"]))
def test_a_csv_deck_reads_back_its_cards(deck: DeckData, separator: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.csv"
        path.write_text(dumps_csv(deck, separator), encoding="utf-8", newline="")
        again = read_csv(path).deck

    assert again.cards == deck.cards
    in_order_of_use = dict.fromkeys(c.persona for c in deck.cards if c.kind == "roleplay")
    assert [p.key for p in again.personas] == list(in_order_of_use)
    assert again.name == " ".join(deck.name.split())


@FUZZ
@given(st.lists(key_point(words), max_size=4))
def test_key_point_cells_survive_any_label(points: list[KeyPoint]) -> None:
    assert parse_key_points(format_key_points(points)) == points


csv_fragments = st.sampled_from(
    [
        "#separator:Tab\n",
        "#separator:;\n",
        "#separator:x\n",
        "#html:true\n",
        "#deck:D\n",
        "#columns:Front\tBack\tTags\n",
        "#tags column:3\n",
        "#guid column:9\n",
        "\t",
        ",",
        ";",
        "|",
        '"',
        "\n",
        "\r\n",
        "Front",
        "Back",
        "Persona",
        "Question",
        "Key points",
        "<b>",
        "&amp;",
        "[sound:a.mp3]",
        "label: a | b; c",
        "\\",
        "\ufeff",
        "\x00",
    ]
)
csv_texts = st.lists(csv_fragments | any_text, max_size=30).map("".join)
mappings = st.none() | st.dictionaries(st.sampled_from([*ROLES, "bogus"]), st.integers(-2, 6))


@FUZZ
@given(csv_texts | st.binary(max_size=300).map(lambda b: b.decode("latin-1")), mappings)
def test_the_csv_reader_only_ever_raises_deck_format_errors(
    text: str, mapping: dict[str, int] | None
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.csv"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        for attempt in (lambda: read_csv(path, mapping), lambda: preview_csv(path)):
            try:
                attempt()
            except DeckFormatError as exc:
                assert str(exc).startswith(str(path))


@FUZZ
@given(st.binary(max_size=300))
def test_the_csv_reader_survives_arbitrary_bytes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.tsv"
        path.write_bytes(data)
        try:
            read_csv(path)
        except DeckFormatError as exc:
            assert str(exc).startswith(str(path))


toml_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | any_text
    | st.sampled_from(["parley-deck", "flashcard", "roleplay", 1, 2]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "format",
                    "version",
                    "deck",
                    "name",
                    "cards",
                    "personas",
                    "id",
                    "kind",
                    "front",
                    "back",
                    "key",
                    "persona",
                    "question",
                    "model_answer",
                    "key_points",
                    "label",
                    "alternatives",
                    "tags",
                    "media",
                    "schedule",
                    "due_in_days",
                    "x",
                ]
            ),
            inner,
            max_size=6,
        )
    ),
    max_leaves=30,
)


def drop_none(value: object) -> object:
    if isinstance(value, dict):
        return {k: drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_none(v) for v in value if v is not None]
    return value


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(["format", "version", "deck", "personas", "cards"]), toml_values, max_size=5
    )
)
def test_the_native_reader_only_ever_raises_deck_format_errors(doc: dict[str, object]) -> None:
    doc.setdefault("format", "parley-deck")
    doc.setdefault("version", 1)
    toml_doc = drop_none(doc)
    assert isinstance(toml_doc, dict)
    for parse, text in (
        (parse_native, tomli_w.dumps(toml_doc)),
        (parse_native_json, json.dumps(doc)),
    ):
        try:
            parse(text, "fuzz")
        except DeckFormatError as exc:
            assert str(exc).startswith("fuzz: ")


@FUZZ
@given(any_text)
def test_the_native_reader_survives_arbitrary_text(text: str) -> None:
    for parse in (parse_native, parse_native_json):
        try:
            parse(text, "fuzz")
        except DeckFormatError as exc:
            assert str(exc).startswith("fuzz: ")
