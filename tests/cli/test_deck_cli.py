"""The CLI end to end, in a temporary data dir, as a user would type it."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from app import __version__
from app.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def dump(data_dir: Path) -> list[str]:
    """Every row of the collection, as SQL: equal dumps mean an unchanged collection."""
    conn = sqlite3.connect(data_dir / "collection.sqlite3")
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_version_from_the_installed_console_script_and_python_m() -> None:
    script = Path(sys.executable).with_name("parley")
    for cmd in ([str(script), "--version"], [sys.executable, "-m", "app", "--version"]):
        done = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=60)
        assert done.stdout.strip() == f"parley {__version__}"


def test_an_empty_data_dir_lists_the_builtin_deck_ready_to_study(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "decks", "--json", "--data-dir", str(tmp_path / "d"))
    assert code == 0
    decks = json.loads(out)
    assert [d["name"] for d in decks] == ["RAG vs Fine-Tuning"]
    deck = decks[0]
    assert deck["counts"]["flashcard"] >= 40 and deck["counts"]["roleplay"] >= 12
    # Today's allowances of new cards: 20 flashcards and, apart, 10 role-plays.
    assert deck["due"] == 30
    assert deck["queues"] == {
        "flashcard": {"new": 20, "learning": 0, "review": 0},
        "roleplay": {"new": 10, "learning": 0, "review": 0},
    }
    code, out, _ = run(
        capsys,
        "cards",
        "--deck",
        "RAG vs Fine-Tuning",
        "--kind",
        "roleplay",
        "--json",
        "--data-dir",
        str(tmp_path / "d"),
    )
    roleplays = json.loads(out)
    assert {c["persona"] for c in roleplays} >= {"product manager", "executive", "client"}
    first = roleplays[0]
    assert first["front"] is None and first["back"] is None
    assert first["question"] and first["model_answer"]
    assert all(set(k) == {"label", "alternatives"} for k in first["key_points"])


def test_cards_json_has_the_documented_shape(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "cards", "--deck", "RAG vs Fine-Tuning", "--kind", "flashcard", "--json"
    )
    assert code == 0
    card = json.loads(out)[0]
    assert set(card) >= {
        "id",
        "kind",
        "deck",
        "front",
        "back",
        "persona",
        "question",
        "model_answer",
        "key_points",
        "tags",
    }
    assert card["kind"] == "flashcard" and card["front"] and card["back"]
    assert card["persona"] is None and card["key_points"] is None


def test_export_then_import_into_a_fresh_data_dir_gives_back_the_same_cards(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = str(tmp_path / "one"), str(tmp_path / "two")
    out_file = tmp_path / "deck.toml"
    assert (
        run(
            capsys,
            "export",
            "--deck",
            "RAG vs Fine-Tuning",
            "-o",
            str(out_file),
            "--data-dir",
            first,
        )[0]
        == 0
    )
    code, _, err = run(capsys, "import", str(out_file), "--deck", "Copy", "--data-dir", second)
    assert code == 0, err

    _, original, _ = run(
        capsys, "cards", "--deck", "RAG vs Fine-Tuning", "--json", "--data-dir", first
    )
    _, copied, _ = run(capsys, "cards", "--deck", "Copy", "--json", "--data-dir", second)

    def comparable(text: str) -> list[dict[str, object]]:
        return [{k: v for k, v in c.items() if k not in ("id", "deck")} for c in json.loads(text)]

    assert comparable(copied) == comparable(original)
    assert len(json.loads(original)) >= 52


def test_importing_a_broken_file_fails_with_one_line_and_changes_nothing(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "decks", "--json")
    db_before = dump(data_dir)
    bad = tmp_path / "broken.toml"
    bad.write_text('format = "parley-deck"\nversion = 1\n[deck\nname = "x"\n', encoding="utf-8")
    code, out, err = run(capsys, "import", str(bad))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and str(bad) in err
    _, decks, _ = run(capsys, "decks", "--json")
    assert [d["name"] for d in json.loads(decks)] == ["RAG vs Fine-Tuning"]
    assert dump(data_dir) == db_before


def test_an_import_from_the_command_line_backs_up_the_collection_first(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "terms.csv"
    csv.write_text("What is a token?,A chunk of text\nWhat is RAG?,Retrieval first\n", "utf-8")
    code, out, err = run(capsys, "import", str(csv), "--deck", "Terms", "--json")
    assert code == 0, err
    made = Path(json.loads(out)["backup"])
    assert made.parent == data_dir / "backups" and "before-import" in made.name
    with closing(sqlite3.connect(made)) as db:
        names = [name for (name,) in db.execute("select name from deck")]
    assert "RAG vs Fine-Tuning" in names and "Terms" not in names, "taken before the import"

    code, out, _ = run(capsys, "import", str(csv), "--deck", "Terms", "--json")
    assert json.loads(out)["same_file"] and json.loads(out)["backup"] is None, (
        "the same file again changes nothing, so it needs no backup"
    )
    csv.write_text("What is a token?,A chunk of text the model reads\n", "utf-8")
    code, out, _ = run(capsys, "import", str(csv), "--deck", "Terms")
    assert code == 0 and "1 updated" in out and "backup first: " in out


def test_unknown_deck_is_a_clear_error(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "cards", "--deck", "Nope")
    assert code == 1 and out == ""
    assert "no deck named 'Nope'" in err and "RAG vs Fine-Tuning" in err


def test_export_to_a_missing_folder_writes_nothing(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing" / "deck.toml"
    code, _, err = run(capsys, "export", "--deck", "RAG vs Fine-Tuning", "-o", str(target))
    assert code == 1 and "does not exist" in err
    assert not target.parent.exists()


def test_data_dir_may_come_before_or_after_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARLEY_DATA_DIR", str(tmp_path / "from-env"))
    for argv in (
        ["--data-dir", str(tmp_path / "before"), "decks", "--json"],
        ["decks", "--json", "--data-dir", str(tmp_path / "after")],
    ):
        assert run(capsys, *argv)[0] == 0
    assert (tmp_path / "before" / "collection.sqlite3").exists()
    assert (tmp_path / "after" / "collection.sqlite3").exists()
    assert not (tmp_path / "from-env").exists()
