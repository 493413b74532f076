"""A script manages cards and decks through the CLI, JSON in and out."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from app.cli.main import main

DECK = "RAG vs Fine-Tuning"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_script_adds_edits_finds_suspends_and_deletes_a_card(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(
        capsys, "card", "add", "--deck", DECK, "--front", "What is a vector?", "--back", "A list",
        "--tags", "maths,basics", "--json",
    )  # fmt: skip
    assert code == 0, err
    card = json.loads(out)
    assert (card["front"], card["tags"], card["state"]) == (
        "What is a vector?",
        ["basics", "maths"],
        "new",
    )

    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"back": "An arrow of numbers"})))
    code, out, err = run(capsys, "card", "edit", str(card["id"]), "--from-json", "-", "--json")
    assert code == 0, err
    assert json.loads(out)["back"] == "An arrow of numbers"

    code, out, _ = run(capsys, "card", "find", "arrow of numbers", "--json")
    assert [c["id"] for c in json.loads(out)] == [card["id"]]

    code, out, _ = run(capsys, "card", "suspend", str(card["id"]), "--json")
    assert json.loads(out) == {"changed": 1, "suspended": True}
    code, out, _ = run(capsys, "card", "find", "is:suspended", "--json")
    assert [c["id"] for c in json.loads(out)] == [card["id"]]

    code, out, _ = run(capsys, "card", "delete", str(card["id"]), "--json")
    assert json.loads(out) == {"deleted": [card["id"]]}
    code, out, _ = run(capsys, "card", "find", "arrow of numbers", "--json")
    assert json.loads(out) == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("card", "edit", "999999", "--back", "x"), "no card with id 999999"),
        (("card", "add", "--deck", "Nope", "--front", "x"), "no deck named 'Nope'"),
        (("card", "add", "--deck", DECK), "a flashcard needs a front"),
        (("card", "suspend", "999999"), "no card with id 999999"),
        (("card", "find", "is:sleeping"), "search: is:sleeping"),
        (("deck", "rename", DECK, ""), "a deck needs a name"),
        (("deck", "delete", DECK), "pass --yes to delete it"),
    ],
)
def test_bad_card_and_deck_commands_fail_in_one_line_and_change_nothing(
    data_dir: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
) -> None:
    _, before, _ = run(capsys, "cards", "--deck", DECK, "--json")
    code, out, err = run(capsys, *argv)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and message in err, err
    _, after, _ = run(capsys, "cards", "--deck", DECK, "--json")
    assert after == before


def test_deleting_a_deck_names_what_is_lost_and_backs_up_first(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "deck", "rename", DECK, "Work::RAG", "--json")
    assert code == 0, err
    code, _, err = run(capsys, "deck", "delete", "Work::RAG")
    assert code == 1 and "flashcards" in err and "role-plays" in err
    code, out, err = run(capsys, "deck", "delete", "Work::RAG", "--yes", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["deleted"]["decks"] == ["Work::RAG"] and result["deleted"]["flashcards"] > 0
    assert Path(result["backup"]).is_file() and "before-delete" in result["backup"]
    _, out, _ = run(capsys, "decks", "--json")
    assert json.loads(out) == []
