"""A user writes decks by hand in TOML (or JSON), exports and re-imports them."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.formats import read_deck, write_deck
from app.formats.native import dumps_native, parse_native, parse_native_json, read_native
from app.model.deckdata import CardData, DeckData, KeyPoint, PersonaData, ScheduleData
from app.model.errors import DeckFormatError

BUILTIN = Path(__file__).parents[2] / "content" / "rag-vs-fine-tuning.toml"

HEAD = 'format = "parley-deck"\nversion = 1\n\n[deck]\nname = "Test"\n'
PERSONA = '\n[[personas]]\nkey = "pm"\nname = "Priya"\n'


def full_deck(media_file: Path | None = None) -> DeckData:
    return DeckData(
        name="Everything",
        description="Has\nevery field",
        personas=[PersonaData("pm", "Priya", "PM", "shipping", "en-gb")],
        cards=[
            CardData(
                guid="f1",
                kind="flashcard",
                front='Quote " and \\ back',
                back="two\nlines\n",
                tags=["a", "b c"],
                media=["ping.mp3"] if media_file else [],
                schedule=ScheduleData(3, 10, 4, 1),
            ),
            CardData(
                guid="r1",
                kind="roleplay",
                persona="pm",
                question="Q?",
                model_answer="A.\n",
                key_points=[KeyPoint("L", ["x", "y"])],
            ),
        ],
        media_files={"ping.mp3": media_file} if media_file else {},
    )


def test_the_builtin_deck_reads(tmp_path: Path) -> None:
    deck = read_native(BUILTIN)

    assert deck.name == "RAG vs Fine-Tuning"
    assert {c.kind for c in deck.cards} == {"flashcard", "roleplay"}
    assert all(deck.persona(c.persona) for c in deck.cards if c.kind == "roleplay")


def test_every_field_survives_export_and_import(tmp_path: Path) -> None:
    sound = tmp_path / "source.mp3"
    sound.write_bytes(b"ID3 ping")
    deck = full_deck(sound)
    for name in ("deck.toml", "deck.json"):
        path = tmp_path / "out" / name
        path.parent.mkdir(exist_ok=True)
        write_deck(deck, path)
        staging = tmp_path / f"staging-{name}"

        again = read_deck(path, staging_dir=staging)

        assert again.cards == deck.cards
        assert again.personas == deck.personas
        assert (again.name, again.description) == (deck.name, deck.description)
        assert again.media_files["ping.mp3"].parent == staging
        assert again.media_files["ping.mp3"].read_bytes() == b"ID3 ping"


def test_the_export_reads_like_a_hand_written_deck() -> None:
    text = dumps_native(full_deck())

    assert text.startswith('format = "parley-deck"\nversion = 1\n')
    assert '[[cards]]\nid = "f1"\nkind = "flashcard"' in text
    assert 'back = """\ntwo\nlines\n"""' in text
    assert '  { label = "L", alternatives = ["x", "y"] },' in text


@pytest.mark.parametrize(
    ("body", "where", "problem"),
    [
        (
            '\n[[cards]]\nid = "a"\nkind = "flashcard"\nfront = "F"\n',
            "line 7, card 1 ('a')",
            "'back' is missing or empty",
        ),
        (
            '\n[[cards]]\nid = "a"\nkind = "flashcard"\nfront = "F"\nback = "B"\n'
            '\n[[cards]]\nid = "a"\nkind = "flashcard"\nfront = "G"\nback = "C"\n',
            "line 13, card 2 ('a')",
            "id 'a' is already used by line 7, card 1",
        ),
        ('\n[[cards]]\nid = "a"\nkind = "quiz"\n', "line 7, card 1 ('a')", "'kind' must be"),
        (
            '\n[[cards]]\nid = "r"\nkind = "roleplay"\npersona = "cto"\nquestion = "Q"\n'
            'model_answer = "A"\nkey_points = [{ label = "L", alternatives = ["x"] }]\n',
            "line 7, card 1 ('r')",
            "persona 'cto' is not declared",
        ),
        (
            PERSONA + '\n[[cards]]\nid = "r"\nkind = "roleplay"\npersona = "pm"\nquestion = "Q"\n'
            'model_answer = "A"\nkey_points = []\n',
            "line 11, card 1 ('r')",
            "at least one key point",
        ),
        (
            PERSONA + '\n[[cards]]\nid = "r"\nkind = "roleplay"\npersona = "pm"\nquestion = "Q"\n'
            'model_answer = "A"\nkey_points = [{ label = "L", alternatives = [] }]\n',
            "line 11, card 1 ('r')",
            "needs at least one alternative",
        ),
        (
            '\n[[cards]]\nid = "a"\nkind = "flashcard"\nfront = "F"\nback = "B"\nfrnt = "x"\n',
            "line 7, card 1 ('a')",
            "unknown key 'frnt'",
        ),
        (
            '\n[[cards]]\nid = "a"\nkind = "flashcard"\nfront = "F"\nback = "B"\n'
            'media = ["../../etc/passwd"]\n',
            "line 7, card 1 ('a')",
            "leave the media folder",
        ),
    ],
    ids=[
        "no-back",
        "duplicate-id",
        "bad-kind",
        "undeclared-persona",
        "no-key-points",
        "no-alternatives",
        "typo-key",
        "media-escape",
    ],
)
def test_rule_breaks_name_the_card_and_its_line(body: str, where: str, problem: str) -> None:
    with pytest.raises(DeckFormatError) as caught:
        parse_native(HEAD + body, "my-deck.toml")

    assert str(caught.value).startswith(f"my-deck.toml: {where}: ")
    assert problem in str(caught.value)


def test_a_deck_from_a_newer_parley_is_refused_clearly() -> None:
    text = HEAD.replace("version = 1", "version = 2")

    with pytest.raises(DeckFormatError, match=r"newer Parley.*version 2.*reads version 1"):
        parse_native(text, "future.toml")


def test_a_file_that_is_not_a_parley_deck_says_so() -> None:
    with pytest.raises(DeckFormatError, match=r"pyproject\.toml: is not a Parley deck"):
        parse_native('[project]\nname = "x"\n', "pyproject.toml")


def test_a_huge_multi_line_field_names_its_card() -> None:
    big = "word " * 200 + "\n"
    body = (
        f'\n[[cards]]\nid = "big"\nkind = "flashcard"\nfront = """\n{big * 1200}"""\nback = "b"\n'
    )

    with pytest.raises(DeckFormatError, match=r"line 7, card 1 \('big'\): a field is larger"):
        parse_native(HEAD + body, "big.toml")


def test_broken_json_names_the_line() -> None:
    with pytest.raises(DeckFormatError, match=r"deck\.json: line 2: is not valid JSON"):
        parse_native_json('{"format": "parley-deck",\n "version": 1 oops}', "deck.json")


def test_a_glossary_and_rejected_phrases_survive_a_write_and_a_read(tmp_path: Path) -> None:
    from app.formats.native import read_native, write_native
    from app.model.deckdata import CardData, DeckData, Glossary, KeyPoint, PersonaData

    deck = DeckData(
        name="Queues",
        glossary=Glossary(
            terms=["Kafka", "dead-letter queue"],
            acronyms={"DLQ": "dead letter queue"},
            heard_as={"Kafka": ["cafca"]},
            options=[["queue", "broker"], ["direct call", "HTTP call"]],
        ),
        personas=[PersonaData("lead")],
        cards=[
            CardData(
                guid="q1",
                kind="roleplay",
                persona="lead",
                question="Why a queue?",
                model_answer="It absorbs spikes.",
                key_points=[KeyPoint("absorbs spikes", ["absorbs spikes"], ["it is fast"])],
            )
        ],
    )
    path = tmp_path / "queues.toml"

    write_native(deck, path)
    back = read_native(path)

    assert back.glossary == deck.glossary
    assert back.cards[0].key_points[0].rejected == ["it is fast"]
