"""Hostile decks: too many key points, phrases too long to score, absurd schedules, and
CSV cells a spreadsheet would run as formulas (issue 13, faults 8 and 11)."""

from __future__ import annotations

import csv
import io
import sqlite3
import zipfile
from pathlib import Path

import pytest

from app.formats import read_deck, write_deck
from app.formats.csvdeck import dumps_csv, read_csv
from app.formats.keypoints import format_key_points
from app.model.deckdata import (
    MAX_ALTERNATIVES,
    MAX_KEY_POINTS,
    MAX_PHRASE_WORDS,
    MAX_SCHEDULE_DAYS,
    CardData,
    DeckData,
    KeyPoint,
    PersonaData,
    ScheduleData,
)
from app.model.errors import DeckFormatError


def roleplay_deck(points: list[KeyPoint], guid: str = "rp-1") -> DeckData:
    return DeckData(
        name="Hostile",
        personas=[PersonaData(key="pm")],
        cards=[
            CardData(
                guid=guid,
                kind="roleplay",
                persona="pm",
                question="Why?",
                model_answer="Because.",
                key_points=points,
            )
        ],
    )


TOO_MANY = [KeyPoint(f"point {i}", [f"phrase {i}"]) for i in range(MAX_KEY_POINTS + 1)]
LONG_PHRASE = [KeyPoint("long", [" ".join(["word"] * (MAX_PHRASE_WORDS + 1))])]
MANY_ALTERNATIVES = [KeyPoint("many", [f"way {i}" for i in range(MAX_ALTERNATIVES + 1)])]


@pytest.mark.parametrize(
    ("points", "problem"),
    [
        (TOO_MANY, f"has {MAX_KEY_POINTS + 1} key points; a card may have at most"),
        (LONG_PHRASE, f"is too long ({MAX_PHRASE_WORDS + 1} words"),
        (MANY_ALTERNATIVES, f"has {MAX_ALTERNATIVES + 1} alternatives"),
    ],
    ids=["key-points", "phrase-length", "alternatives"],
)
@pytest.mark.parametrize("suffix", [".toml", ".json", ".csv", ".apkg"])
def test_a_deck_that_would_stall_scoring_is_refused_naming_the_card(
    tmp_path: Path, points: list[KeyPoint], problem: str, suffix: str
) -> None:
    path = tmp_path / f"hostile{suffix}"
    write_deck(roleplay_deck(points), path)
    with pytest.raises(DeckFormatError) as caught:
        read_deck(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(str(path)) and problem in message


def test_the_limits_leave_room_for_real_decks(tmp_path: Path) -> None:
    points = [
        KeyPoint(f"point {i}", [" ".join(["w"] * MAX_PHRASE_WORDS)] * MAX_ALTERNATIVES)
        for i in range(MAX_KEY_POINTS)
    ]
    for suffix in (".toml", ".csv"):
        path = tmp_path / f"big{suffix}"
        write_deck(roleplay_deck(points), path)
        assert len(read_deck(path).cards[0].key_points) == MAX_KEY_POINTS


def test_a_native_schedule_beyond_a_hundred_years_is_refused(tmp_path: Path) -> None:
    deck = roleplay_deck([KeyPoint("a", ["b"])])
    deck.cards[0].schedule = ScheduleData(due_in_days=2**31 - 1, interval_days=1, reps=1)
    path = tmp_path / "far.toml"
    write_deck(deck, path)
    with pytest.raises(
        DeckFormatError, match=f"'due_in_days' must be a whole number from 0 to {MAX_SCHEDULE_DAYS}"
    ):
        read_deck(path)


def test_absurd_anki_scheduling_is_clamped_and_the_cards_kept(tmp_path: Path) -> None:
    deck = DeckData(
        name="Anki",
        cards=[
            CardData(
                guid=f"g{i}",
                kind="flashcard",
                front=f"q{i}",
                back="a",
                schedule=ScheduleData(due_in_days=3, interval_days=3, reps=2),
            )
            for i in range(3)
        ],
    )
    package = tmp_path / "sane.apkg"
    write_deck(deck, package)
    hostile = tmp_path / "absurd.apkg"
    with zipfile.ZipFile(package) as src, zipfile.ZipFile(hostile, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "collection.anki2":
                db = tmp_path / "collection.anki2"
                db.write_bytes(data)
                conn = sqlite3.connect(db)
                with conn:
                    conn.execute(
                        "UPDATE cards SET due = ?, ivl = ?, reps = ?, lapses = ?",
                        (2**62, 2**62, -(2**62), 2**62),
                    )
                conn.close()
                data = db.read_bytes()
            out.writestr(info, data)
    cards = read_deck(hostile, with_scheduling=True).cards
    assert len(cards) == 3
    for card in cards:
        assert card.schedule is not None
        assert 0 <= card.schedule.due_in_days <= MAX_SCHEDULE_DAYS
        assert card.schedule.interval_days == MAX_SCHEDULE_DAYS
        assert card.schedule.reps == 0 and card.schedule.lapses == 2**31 - 1


FORMULAS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "'=kept", "''+two"]


def test_csv_export_neutralises_formula_cells_and_reads_them_back(tmp_path: Path) -> None:
    deck = DeckData(
        name="Sheets",
        personas=[PersonaData(key="=pm")],
        cards=[
            CardData(guid=f"-g{i}", kind="flashcard", front=text, back=text, tags=["-t"])
            for i, text in enumerate(FORMULAS)
        ]
        + [
            CardData(
                guid="rp",
                kind="roleplay",
                persona="=pm",
                question="=1+1",
                model_answer="@me",
                key_points=[KeyPoint("-label", ["=alt"])],
            )
        ],
    )
    text = dumps_csv(deck, ",")
    rows = list(csv.reader(io.StringIO(text)))
    cells = [cell for row in rows if row and not row[0].startswith("#") for cell in row]
    assert cells, text
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    path = tmp_path / "sheets.csv"
    path.write_text(text, encoding="utf-8")
    back = read_csv(path).deck
    by_guid = {c.guid: c for c in back.cards}
    for i, formula in enumerate(FORMULAS):
        assert by_guid[f"-g{i}"].front == formula and by_guid[f"-g{i}"].back == formula
        assert by_guid[f"-g{i}"].tags == ["-t"]
    rp = by_guid["rp"]
    assert (rp.persona, rp.question, rp.model_answer) == ("=pm", "=1+1", "@me")
    assert format_key_points(rp.key_points) == "-label: =alt"
