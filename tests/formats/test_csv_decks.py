"""A user imports flashcards and role-plays from spreadsheets and Anki text exports."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.formats import read_deck, write_deck
from app.formats.csvdeck import preview_csv, read_csv
from app.model.deckdata import CardData, DeckData, KeyPoint, PersonaData
from app.model.errors import DeckFormatError


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("sep", ["\t", ",", ";", "|"], ids=["tab", "comma", "semicolon", "pipe"])
def test_the_separator_is_detected(tmp_path: Path, sep: str) -> None:
    rows = [["What is DNS?", "Names to addresses"], ["TTL", "Time to live"]]
    path = write(tmp_path, "deck.txt", "".join(sep.join(r) + "\n" for r in rows))

    result = read_csv(path)

    assert preview_csv(path).separator == sep
    assert [(c.front, c.back) for c in result.deck.cards] == [tuple(r) for r in rows]
    assert result.mapping == {"front": 0, "back": 1}


def test_commas_in_the_text_of_a_tab_separated_file_do_not_fool_detection(
    tmp_path: Path,
) -> None:
    text = "DNS\tNames to addresses, roughly\nTTL\tTime to live, in seconds, per record\n"

    deck = read_csv(write(tmp_path, "deck.txt", text)).deck

    assert deck.cards[1].back == "Time to live, in seconds, per record"


def test_a_header_row_maps_columns_by_name(tmp_path: Path) -> None:
    path = write(tmp_path, "vocab.csv", "Tags,Back,Front\nnet dns,Name lookup,DNS\n")

    result = read_csv(path)

    assert result.mapping == {"tags": 0, "back": 1, "front": 2}
    card = result.deck.cards[0]
    assert (card.front, card.back, card.tags) == ("DNS", "Name lookup", ["net", "dns"])
    assert result.deck.name == "vocab"


def test_anki_header_lines_are_honoured(tmp_path: Path) -> None:
    text = (
        "#separator:Pipe\n#html:true\n#deck:Networking\n#guid column:1\n#tags column:4\n"
        "#columns:GUID|Front|Back|Tags\n"
        "abc123|A <b>bold</b> question[sound:q.mp3]|Line one<br>line two &amp; more|t1 t2\n"
    )
    deck = read_deck(write(tmp_path, "anki-export.txt", text))
    card = deck.cards[0]

    assert deck.name == "Networking"
    assert card.guid == "abc123"
    assert card.front == "A bold question"
    assert card.back == "Line one\nline two & more"
    assert card.media == ["q.mp3"]
    assert card.tags == ["t1", "t2"]


def test_a_bom_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "excel.csv", "\ufeffFront;Back\nA;B\n")

    assert read_csv(path).deck.cards[0].front == "A"


def test_a_bad_byte_after_a_bom_names_its_own_line(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"\xef\xbb\xbfFront,Back\nok,fine\n\xff,bad\n")

    with pytest.raises(DeckFormatError, match=r"mixed\.csv: line 3: .*byte 0xff"):
        read_csv(path)


def test_role_plays_come_from_their_own_columns(tmp_path: Path) -> None:
    text = (
        "Persona\tQuestion\tModel answer\tKey points\tTags\n"
        "cfo\tWhy RAG?\tFresh answers without retraining.\t"
        "Fresh: current | up to date; No retraining: no retraining\tmoney\n"
    )
    deck = read_deck(write(tmp_path, "rp.tsv", text))

    assert deck.personas == [PersonaData(key="cfo")]
    card = deck.cards[0]
    assert card.kind == "roleplay"
    assert card.question == "Why RAG?"
    assert card.key_points == [
        KeyPoint("Fresh", ["current", "up to date"]),
        KeyPoint("No retraining", ["no retraining"]),
    ]


def test_an_explicit_mapping_wins_over_detection(tmp_path: Path) -> None:
    path = write(tmp_path, "swap.csv", "Front,Back\nanswer side,question side\n")

    result = read_csv(path, mapping={"front": 1, "back": 0})

    assert (result.deck.cards[0].front, result.deck.cards[0].back) == (
        "question side",
        "answer side",
    )
    assert result.mapping == {"front": 1, "back": 0}


def test_a_mapping_to_a_missing_column_is_explained(tmp_path: Path) -> None:
    path = write(tmp_path, "two.csv", "a,b\nc,d\n")

    with pytest.raises(DeckFormatError, match=r"two\.csv: the back column \(5\) does not exist"):
        read_csv(path, mapping={"front": 0, "back": 4})


def test_the_preview_shows_the_first_rows_and_the_total(tmp_path: Path) -> None:
    lines = "".join(f"q{i}\ta{i}\n" for i in range(12))
    path = write(tmp_path, "many.tsv", "Front\tBack\n" + lines)

    preview = preview_csv(path, rows=3)

    assert preview.rows == [["q0", "a0"], ["q1", "a1"], ["q2", "a2"]]
    assert preview.total_rows == 12
    assert preview.columns == ["Front", "Back"]
    assert preview.mapping == {"front": 0, "back": 1}


def test_cards_without_a_guid_get_a_stable_one_from_their_front(tmp_path: Path) -> None:
    first = read_csv(write(tmp_path, "a.csv", "Front,Back\nWhat is  DNS?,x\nOther,y\n")).deck
    second = read_csv(write(tmp_path, "b.csv", "Front,Back\nwhat is DNS?,changed\n")).deck

    assert first.cards[0].guid.startswith("csv-")
    assert first.cards[0].guid == second.cards[0].guid  # case and spacing do not matter
    assert first.cards[0].guid != first.cards[1].guid


def test_repeated_fronts_get_distinct_guids(tmp_path: Path) -> None:
    deck = read_csv(write(tmp_path, "dup.csv", "Front,Back\nSame,one\nSame,two\n")).deck

    assert deck.cards[0].guid != deck.cards[1].guid
    assert deck.cards[1].guid == deck.cards[0].guid + "-2"


def test_quoted_fields_keep_separators_and_newlines_and_a_skipped_row_names_its_line(
    tmp_path: Path,
) -> None:
    text = 'Front,Back\n"Multi\nline, with comma",ok\nfine,\n'

    deck = read_csv(write(tmp_path, "quoted.csv", text)).deck

    assert [c.front for c in deck.cards] == ["Multi\nline, with comma"]
    assert [(r.kind, r.reason, r.where) for r in deck.remarks] == [
        ("skipped", "card with an empty back", ["line 4"])
    ]


def test_an_exported_deck_imports_again_with_every_card(tmp_path: Path) -> None:
    deck = DeckData(
        name="Mixed   deck",
        personas=[PersonaData(key="pm", name="Priya")],
        cards=[
            CardData(
                guid="#starts-with-hash",
                kind="flashcard",
                front="Q, with comma",
                back='He said "hi"\nthen left',
                tags=["a", "b"],
                media=["x.mp3"],
            ),
            CardData(
                guid="rp1",
                kind="roleplay",
                persona="pm",
                question="Ship it?",
                model_answer="Yes; after tests.",
                key_points=[KeyPoint("Tests: first", ["after tests", "tested|ok"])],
            ),
        ],
    )
    for suffix in (".csv", ".tsv"):
        path = tmp_path / f"out{suffix}"
        write_deck(deck, path)
        again = read_deck(path)

        assert again.cards == deck.cards
        assert again.name == "Mixed deck"
        assert [p.key for p in again.personas] == ["pm"]


def test_an_exported_flashcard_deck_imports_into_anki(tmp_path: Path) -> None:
    from anki.collection import Collection, ImportCsvRequest

    deck = DeckData(
        name="Ports",
        cards=[
            CardData(guid="p1", kind="flashcard", front="HTTPS", back="443", tags=["web"]),
            CardData(guid="p2", kind="flashcard", front="SSH", back="22 <default>"),
        ],
    )
    path = tmp_path / "ports.txt"
    write_deck(deck, path, fmt="csv")
    col = Collection(str(tmp_path / "anki.anki2"))
    try:
        metadata = col.get_csv_metadata(str(path), None)
        col.import_csv(ImportCsvRequest(path=str(path), metadata=metadata))
        notes = {col.get_note(n).guid: col.get_note(n) for n in col.find_notes("")}
    finally:
        col.close()

    assert notes["p1"].fields == ["HTTPS", "443"]
    assert notes["p1"].tags == ["web"]
    assert notes["p2"].fields == ["SSH", "22 &lt;default&gt;"]
