"""A user brings Anki's own text exports and hand-written files that use Anki's header
lines: note types make the cards Anki would make, decks keep their tree, and a row
Parley cannot use is left out with its line named instead of refusing the file."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.formats import read_deck, write_deck
from app.formats.csvdeck import read_csv
from app.model.deckdata import CardData, DeckData
from app.model.errors import DeckFormatError

from anki_notes import deck_id, new_note


@dataclass
class AnkiExports:
    notes: Path  # "Notes in Plain Text" with every option: guid, note type, deck, tags
    bare_notes: Path  # the same without any of them, and without HTML
    cards: Path  # "Cards in Plain Text", as HTML
    plain_cards: Path  # the same as plain text
    guids: dict[str, str]


@pytest.fixture(scope="module")
def anki_exports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnkiExports]:
    from anki.collection import Collection

    folder = tmp_path_factory.mktemp("anki-text")
    col = Collection(str(folder / "collection.anki2"))
    guids: dict[str, str] = {}
    try:

        def add(role: str, notetype: str, deck: str, *fields: str) -> None:
            note = new_note(col, notetype)
            for index, value in enumerate(fields):
                note.fields[index] = value
            note.tags = [role, "shared"]
            if role == "basic":
                note.guid = "b<&>'\"q"  # Anki's guids use such characters
            col.add_note(note, deck_id(col, deck))
            guids[role] = note.guid

        add("basic", "Basic", "Networking::Transport", "What does <b>TCP</b> guarantee?",
            "Ordered delivery")  # fmt: skip
        add("reversed", "Basic (and reversed card)", "Spanish", "agua", "water")
        add("optional", "Basic (optional reversed card)", "Spanish", "perro", "dog", "y")
        add("one-way", "Basic (optional reversed card)", "Spanish", "gato", "cat", "")
        add("cloze", "Cloze", "Networking::Apps", "An {{c1::SLO}} is a {{c2::target}}", "SRE")
        exports = AnkiExports(
            folder / "notes.txt",
            folder / "bare-notes.txt",
            folder / "cards.txt",
            folder / "plain-cards.txt",
            guids,
        )
        col.export_note_csv(out_path=str(exports.notes), limit=None, with_html=True,
                            with_tags=True, with_deck=True, with_notetype=True,
                            with_guid=True)  # fmt: skip
        col.export_note_csv(out_path=str(exports.bare_notes), limit=None, with_html=False,
                            with_tags=False, with_deck=False, with_notetype=False,
                            with_guid=False)  # fmt: skip
        col.export_card_csv(out_path=str(exports.cards), limit=None, with_html=True)
        col.export_card_csv(out_path=str(exports.plain_cards), limit=None, with_html=False)
    finally:
        col.close()
    yield exports


def sides(deck: DeckData) -> list[tuple[str, str]]:
    return [(card.front, card.back) for card in deck.cards]


def by_guid(deck: DeckData) -> dict[str, CardData]:
    return {card.guid: card for card in deck.cards}


def test_notes_in_plain_text_make_the_cards_anki_made(anki_exports: AnkiExports) -> None:
    deck = read_deck(anki_exports.notes)
    cards = by_guid(deck)
    g = anki_exports.guids

    assert (cards[g["basic"]].front, cards[g["basic"]].back) == (
        "What does TCP guarantee?",
        "Ordered delivery",
    )
    # A reversed note is two cards, the second with the sides swapped.
    assert (cards[g["reversed"]].front, cards[g["reversed"] + "#1"].front) == ("agua", "water")
    # The optional reverse exists only where its third field says so.
    assert cards[g["optional"] + "#1"].front == "dog"
    assert g["one-way"] + "#1" not in cards
    # A cloze note is a card per deletion, with the extra field on the back.
    assert cards[g["cloze"]].front == "An […] is a target"
    assert cards[g["cloze"] + "#1"].front == "An SLO is a […]"
    assert cards[g["cloze"]].back == "An SLO is a target\n\nSRE"
    assert len(deck.cards) == 8
    assert deck.remarks == []


def test_notes_in_plain_text_keep_decks_as_a_tree_and_tags(anki_exports: AnkiExports) -> None:
    deck = read_deck(anki_exports.notes)
    cards = by_guid(deck)
    g = anki_exports.guids

    assert deck.name in ("Networking", "Spanish")
    decks = {card.deck or deck.name for card in deck.cards}
    assert decks == {"Networking::Transport", "Networking::Apps", "Spanish"}
    assert (cards[g["basic"]].deck or deck.name) == "Networking::Transport"
    assert cards[g["reversed"] + "#1"].tags == ["reversed", "shared"]


def test_bare_notes_in_plain_text_import_with_cloze_text_read_as_cloze(
    anki_exports: AnkiExports,
) -> None:
    deck = read_deck(anki_exports.bare_notes)

    assert deck.name == "bare-notes"
    # Without a note type column a reversed note is one row, so one card.
    assert ("agua", "water") in sides(deck)
    assert ("An […] is a target", "An SLO is a target\n\nSRE") in sides(deck)
    assert [(r.kind, r.reason, r.where) for r in deck.remarks] == [
        ("converted", "cloze text read as a Cloze note", ["line 7"])
    ]
    # Like Anki, a third column past Basic's two fields is read as tags, here the
    # optional reversed note's "y".
    assert [card.tags for card in deck.cards if card.front == "perro"] == [["y"]]


@pytest.mark.parametrize("export", ["cards", "plain_cards"])
def test_cards_in_plain_text_import_every_card(anki_exports: AnkiExports, export: str) -> None:
    deck = read_deck(getattr(anki_exports, export))

    assert len(deck.cards) == 8
    assert ("water", "agua") in sides(deck)
    fronts = [card.front for card in deck.cards]
    assert "An [...] is a target" in fronts
    assert all(card.back for card in deck.cards)


def test_a_tab_file_with_anki_headers_and_a_third_column_of_tags(tmp_path: Path) -> None:
    path = tmp_path / "verbs.txt"
    path.write_text(
        "#separator:tab\n#html:false\n#notetype:Basic (and reversed card)\n#tags:spanish verbs\n"
        "comer\tto eat\tfood\n"
        "beber\tto drink\n"
        "dormir\t\tsleep\n",
        encoding="utf-8",
    )

    deck = read_deck(path)

    assert sides(deck) == [
        ("comer", "to eat"),
        ("to eat", "comer"),
        ("beber", "to drink"),
        ("to drink", "beber"),
    ]
    assert deck.cards[0].tags == ["food", "spanish", "verbs"]
    assert deck.cards[2].tags == ["spanish", "verbs"]
    assert deck.cards[1].guid == deck.cards[0].guid + "#1"
    assert [(r.kind, r.reason, r.where) for r in deck.remarks] == [
        ("skipped", "card with an empty back (and its reverse)", ["line 7"]),
        ("converted", "row with missing trailing fields read as empty", ["line 6"]),
    ]


def test_a_notetype_column_mixes_basic_and_cloze_rows(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(
        "#separator:comma\n#notetype column:1\n"
        "Basic,Port of SSH,22\n"
        "Cloze,{{c1::DNS}} maps {{c2::names::what}} to addresses,\n"
        "Cloze,no deletion here,\n"
        "Vocabulary,hola,hello\n",
        encoding="utf-8",
    )

    deck = read_deck(path)

    assert sides(deck) == [
        ("Port of SSH", "22"),
        ("[…] maps names to addresses", "DNS maps names to addresses"),
        ("DNS maps [what] to addresses", "DNS maps names to addresses"),
        ("hola", "hello"),
    ]
    assert [(r.kind, r.reason, r.where) for r in deck.remarks] == [
        ("skipped", "Cloze note without a deletion", ["line 5"]),
        ("converted", "note type 'Vocabulary' read as Basic (front and back)", ["line 6"]),
    ]


def test_a_file_of_only_unusable_rows_is_refused_naming_them(tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    path.write_text("one\t\ntwo\t\n", encoding="utf-8")

    with pytest.raises(DeckFormatError) as caught:
        read_csv(path)

    assert str(caught.value) == (
        f"{path}: has no cards to import: card with an empty back (line 1, line 2)"
    )


def test_a_deck_tree_written_as_csv_reads_back_into_its_decks(tmp_path: Path) -> None:
    deck = DeckData(
        name="Networking",
        cards=[
            CardData(guid="r", kind="flashcard", front="Root?", back="Here"),
            CardData(guid="t<&", kind="flashcard", front="TCP?", back="Ordered",
                     deck="Networking::Transport"),
            CardData(guid="s", kind="flashcard", front="agua", back="water", deck="Spanish"),
        ],
    )  # fmt: skip
    path = tmp_path / "tree.csv"
    write_deck(deck, path)

    again = read_deck(path)

    assert again.name == "Networking"
    assert again.cards == deck.cards


def test_anki_reads_a_deck_tree_written_as_csv_into_its_decks(tmp_path: Path) -> None:
    from anki.collection import Collection, ImportCsvRequest

    deck = DeckData(
        name="Networking",
        cards=[
            CardData(guid="t<&", kind="flashcard", front="TCP?", back="Ordered",
                     deck="Networking::Transport"),
            CardData(guid="r", kind="flashcard", front="Root?", back="Here"),
        ],
    )  # fmt: skip
    path = tmp_path / "tree.txt"
    write_deck(deck, path, fmt="csv")
    col = Collection(str(tmp_path / "anki.anki2"))
    try:
        metadata = col.get_csv_metadata(str(path), None)
        col.import_csv(ImportCsvRequest(path=str(path), metadata=metadata))
        decks = {
            col.get_note(n).guid: col.decks.name(col.get_note(n).cards()[0].did)
            for n in col.find_notes("")
        }
    finally:
        col.close()

    assert decks == {"t<&": "Networking::Transport", "r": "Networking"}
