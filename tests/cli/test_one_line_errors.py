"""The regression list of issue 13 for the command line: every failure is one line on
stderr naming the thing and the problem, a non-zero exit, and nothing written or lost."""

from __future__ import annotations

import errno
import json
import logging
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.main import main
from app.model.settings import MAX_SETTINGS_BYTES, Settings

PARLEY = [sys.executable, "-m", "app"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    """The whole of stderr, asserted to be one line without a traceback."""
    assert "Traceback" not in err, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


def files_in(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` with its bytes (None for folders and links)."""
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): p.read_bytes() if p.is_file() and not p.is_symlink() else None
        for p in sorted(folder.rglob("*"))
    }


# --- settings.json (fault 9) -------------------------------------------------------


HOSTILE_SETTINGS = {
    "nested": ("[" * 50_000 + "]" * 50_000)[: MAX_SETTINGS_BYTES - 2],
    "huge-file": '{"theme": "' + "x" * MAX_SETTINGS_BYTES + '"}',
    "huge-integer": '{"new_per_day": 1' + "0" * 5000 + "}",
    "not-json": "{nope",
    "not-utf8": b'{"theme": "\xff"}'.decode("latin-1"),
    "a-list": "[1, 2]",
}


@pytest.mark.parametrize("content", HOSTILE_SETTINGS.values(), ids=HOSTILE_SETTINGS.keys())
def test_a_hostile_settings_file_gives_the_defaults_and_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, content: str
) -> None:
    (tmp_path / "settings.json").write_bytes(content.encode("latin-1"))
    with caplog.at_level(logging.WARNING):
        assert Settings.load(tmp_path) == Settings()
        assert Settings.load(tmp_path) == Settings()  # warned about once, not per load
    [record] = caplog.records
    assert "settings.json" in record.getMessage() and "default" in record.getMessage()
    assert (tmp_path / "settings.json").read_bytes() == content.encode("latin-1")


def test_out_of_range_settings_are_clamped_and_bad_values_ignored(tmp_path: Path) -> None:
    (tmp_path / "settings.json").write_text(
        json.dumps(
            {
                "new_per_day": 10**30,
                "reviews_per_day": -(10**30),
                "tts_rate": 3,
                "engine": "pocketsphinx",
                "theme": "dark",
                "input_device": "x" * 10_000,
            }
        )
        .replace('"tts_rate": 3', '"tts_rate": 3, "end_silence_s": NaN')
        .replace("}", ', "hands_free": 1e999}')
    )
    settings = Settings.load(tmp_path)
    assert (settings.new_per_day, settings.reviews_per_day, settings.tts_rate) == (9999, 0, 80)
    assert settings.end_silence_s == Settings().end_silence_s  # NaN: the default
    assert settings.engine == "auto" and settings.theme == "dark"
    assert settings.input_device == "" and settings.hands_free is False
    (tmp_path / "settings.json").write_text('{"end_silence_s": 1e999}')
    assert Settings.load(tmp_path).end_silence_s == 15.0


def test_a_deeply_nested_settings_file_does_not_stop_a_command(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.json").write_text("[" * 20_000 + "]" * 20_000)
    done = subprocess.run(
        [*PARLEY, "models", "list", "--json", "--data-dir", str(data)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PARLEY_DATA_DIR": str(data)},
    )
    assert done.returncode == 0, done.stderr
    assert isinstance(json.loads(done.stdout), list)
    line = one_line(done.stderr)
    assert str(data / "settings.json") in line and "nested too deeply" in line


# --- the command line (fault 11) ---------------------------------------------------

DECK = "RAG vs Fine-Tuning"


def dump(data_dir: Path) -> list[str]:
    conn = sqlite3.connect(data_dir / "collection.sqlite3")
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def roleplay_id(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> int:
    code, out, _ = run(capsys, "cards", "--deck", DECK, "--kind", "roleplay", "--json")
    assert code == 0
    return int(json.loads(out)[0]["id"])


@pytest.mark.parametrize("kind", ["folder", "symlink", "fifo", "missing-folder"])
def test_export_writes_only_to_regular_files(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    victim = out_dir / "victim.toml"
    victim.write_text("keep me")
    target = out_dir / "deck.toml"
    if kind == "folder":
        target.mkdir()
    elif kind == "symlink":
        target.symlink_to(victim)
    elif kind == "fifo":
        os.mkfifo(target)
    else:
        target = out_dir / "nowhere" / "deck.toml"
    before = files_in(out_dir)
    code, stdout, err = run(capsys, "export", "--deck", DECK, "-o", str(target))
    assert code == 1 and stdout == ""
    assert one_line(err).startswith(f"parley: {target}")
    assert files_in(out_dir) == before
    if kind == "symlink":
        assert target.is_symlink()


def test_export_onto_an_existing_regular_file_replaces_it(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "deck.csv"
    target.write_text("old")
    code, _, err = run(capsys, "export", "--deck", DECK, "-o", str(target))
    assert code == 0, err
    assert target.read_text().startswith("#separator:")


def test_a_full_disk_during_import_is_one_line_and_changes_nothing(
    data_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import app.core.importing

    deck = tmp_path / "deck.toml"
    deck.write_bytes(
        (Path(__file__).parents[2] / "content" / "rag-vs-fine-tuning.toml").read_bytes()
    )
    assert run(capsys, "decks")[0] == 0
    before = dump(data_dir)

    def full(path: Path, **_: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(data_dir / ".import-x"))

    monkeypatch.setattr(app.core.importing, "read_deck", full)
    code, stdout, err = run(capsys, "import", str(deck), "--deck", "Copy")
    assert code == 1 and stdout == ""
    line = one_line(err)
    assert ".import-x" in line and "disk is full" in line
    assert dump(data_dir) == before
    assert not [p for p in data_dir.iterdir() if p.name.startswith(".import-")]


def test_a_full_database_during_score_is_one_line_and_saves_nothing(
    data_dir: Path,
    roleplay_id: int,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sqlalchemy.exc import OperationalError

    import app.rehearsal.session as session

    before = dump(data_dir)

    def full(*_: object) -> int:
        raise OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full"))

    monkeypatch.setattr(session, "record_attempt", full)
    code, stdout, err = run(capsys, "score", str(roleplay_id), "--text", "retrieval is cheaper")
    assert code == 1 and stdout == ""
    assert "disk is full" in one_line(err)
    assert dump(data_dir) == before


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["score", "99999999999999999999", "--text", "hi"], "no card with id 99999999999999999999"),
        (["score", "-3", "--text", "hi"], "no card with id -3"),
        (["stats", "--deck", DECK, "--days", "99999999999"], "--days must be from 1 to"),
        (["stats", "--deck", DECK, "--days", "0"], "--days must be from 1 to"),
    ],
    ids=["huge-id", "negative-id", "huge-days", "no-days"],
)
def test_huge_numbers_are_one_line(
    data_dir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    assert run(capsys, "decks")[0] == 0
    before = dump(data_dir)
    code, stdout, err = run(capsys, *argv)
    assert code == 1 and stdout == ""
    assert expected in one_line(err)
    assert dump(data_dir) == before


def test_score_refuses_flashcards_empty_and_overlong_answers_and_saves_nothing(
    data_dir: Path, roleplay_id: int, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.scoring import MAX_ANSWER_WORDS

    code, out, _ = run(capsys, "cards", "--deck", DECK, "--kind", "flashcard", "--json")
    flashcard = json.loads(out)[0]["id"]
    before = dump(data_dir)
    cases = [
        ([str(flashcard), "--text", "an answer"], "is a flashcard"),
        ([str(roleplay_id), "--text", ""], "The answer is empty"),
        ([str(roleplay_id), "--text", "  \n "], "The answer is empty"),
        ([str(roleplay_id), "--text", "retrieval " * (MAX_ANSWER_WORDS + 1)], "words long"),
        ([str(roleplay_id), "--text", "x" * 20 * MAX_ANSWER_WORDS], "characters long"),
    ]
    for argv, expected in cases:
        code, stdout, err = run(capsys, "score", *argv)
        assert code == 1 and stdout == "", argv
        assert expected in one_line(err)
    assert dump(data_dir) == before


def test_a_deck_file_with_a_non_utf8_name_imports_and_prints(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deck = Path(os.fsdecode(bytes(tmp_path) + b"/d\xe9ck.toml"))
    deck.write_bytes(
        (Path(__file__).parents[2] / "content" / "rag-vs-fine-tuning.toml").read_bytes()
    )
    code, out, err = run(capsys, "import", str(deck), "--deck", "Copy")
    assert code == 0, err
    assert "d\ufffdck.toml: into 'Copy'" in out
    missing = os.fsdecode(bytes(tmp_path) + b"/\xff.toml")
    code, out, err = run(capsys, "import", missing)
    assert code == 1 and "no such file" in one_line(err)


def test_a_closed_pipe_ends_quietly(data_dir: Path) -> None:
    # Enough lines to fill the pipe: the built-in deck imported a few times over.
    content = Path(__file__).parents[2] / "content" / "rag-vs-fine-tuning.toml"
    env = {**os.environ, "PARLEY_DATA_DIR": str(data_dir)}
    for n in range(3):
        subprocess.run(
            [*PARLEY, "import", str(content), "--deck", f"Copy {n}", "--mode", "duplicate"],
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
    for argv in (["cards", "--deck", "Copy 0", "--json"], ["voices"]):
        done = subprocess.run(
            ["bash", "-c", 'set -o pipefail; "$@" | head -c 10 >/dev/null', "-", *PARLEY, *argv],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.stderr == "", done.stderr
        assert done.returncode in (0, 141)
