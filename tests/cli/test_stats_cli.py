"""``parley stats`` and ``parley backup`` as a user types them."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from app.cli.main import main
from app.core import services, stats
from app.core.clock import utcnow
from app.core.store import Store

DECK = "RAG vs Fine-Tuning"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def practise(data_dir: Path) -> None:
    """Two weeks ago, last week and today: reviews and two spoken role-play answers."""
    store = Store.open(data_dir)
    now = utcnow()
    with store.session() as s:
        deck = services.find_deck(s, DECK)
        flash = services.due_queue(s, deck.id, now, 20, kind="flashcard")[:6]
        plays = [c.id for c in services.list_cards(s, DECK, "roleplay")][:2]
    for days_ago, rating in ((14, 3), (7, 1), (0, 4)):
        for card_id in flash:
            with store.session() as s:
                services.review_card(s, card_id, rating, now - timedelta(days=days_ago))
    for days_ago, (card_id, met) in enumerate(((plays[0], False), (plays[1], True))):
        result = {
            "key_points": [{"label": "grounding", "met": met}, {"label": "cost", "met": True}],
            "delivery": {"duration_s": 60.0, "wpm": 150.0 - 20 * days_ago, "fillers": {"um": 3}},
        }
        data = services.AttemptData(
            "spoken answer",
            0.5 + 0.5 * met,
            result,
            "vosk",
            60.0,
            created_at=now - timedelta(days=days_ago + 1),
        )
        with store.session() as s:
            services.record_attempt(s, card_id, data)
    store.close()


def test_stats_json_is_exactly_the_figures_the_statistics_screen_draws(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    practise(data_dir)
    code, out, _ = run(capsys, "stats", "--deck", DECK, "--json")
    assert code == 0
    printed = json.loads(out)
    store = Store.open(data_dir)
    with store.session() as s:
        expected = stats.deck_stats(s, DECK, utcnow()).to_json()
    store.close()
    printed.pop("generated_at")
    expected.pop("generated_at")
    assert printed == expected
    assert printed["totals"]["reviews"] == 18 and printed["totals"]["attempts"] == 2
    assert printed["missed_key_points"] == [{"label": "grounding", "missed": 1, "assessed": 2}]


def test_stats_without_json_is_a_short_summary(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    practise(data_dir)
    code, out, _ = run(capsys, "stats", "--deck", DECK, "--days", "7")
    assert code == 0
    lines = out.splitlines()
    assert 4 <= len(lines) <= 8
    assert lines[0].startswith(f"{DECK}: ")
    assert "6 today" in lines[1] and "in the last 7 days" in lines[1]
    assert "Retention (Good/Easy on seen cards): 50% of 12 reviews" in out
    assert "Most missed key point: 'grounding' (1 of 2)" in out


def test_stats_for_an_unknown_deck_names_the_decks_there_are(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "stats", "--deck", "Nope")
    assert code == 1
    assert err.startswith("parley: no deck named 'Nope'") and DECK in err


def test_backup_create_list_and_restore_by_path(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "backup", "create", "--json")
    assert code == 0
    made = json.loads(out)
    assert Path(made["path"]).parent == data_dir / "backups"
    assert made["cards"] > 60 and made["size"] > 0
    code, out, _ = run(capsys, "backup", "list", "--json")
    listed = json.loads(out)
    assert listed == [made]
    assert set(listed[0]) == {"path", "created", "size", "cards"}

    code, out, _ = run(capsys, "backup", "restore", made["path"])
    assert code == 0
    assert out.startswith(f"Restored {made['path']}")
    assert "before-restore" in out


def test_a_damaged_collection_is_reported_and_the_last_good_backup_restored(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "backup", "create")[0] == 0
    db = data_dir / "collection.sqlite3"
    data = bytearray(db.read_bytes())
    middle = len(data) // 2 // 4096 * 4096
    data[middle : middle + 8192] = b"\x5a" * 8192
    db.write_bytes(bytes(data))

    code, _, err = run(capsys, "decks")
    assert code == 1
    assert "the collection is damaged" in err and "parley backup restore --latest-good" in err
    code, _, err = run(capsys, "backup", "check")
    assert code == 1 and "damaged" in err

    code, out, _ = run(capsys, "backup", "restore", "--latest-good")
    assert code == 0
    assert "damaged-" in out  # the broken file is kept aside, not deleted
    assert run(capsys, "backup", "check")[1].endswith(": ok\n")
    code, out, _ = run(capsys, "decks", "--json")
    assert code == 0 and json.loads(out)[0]["name"] == DECK


def test_restore_latest_good_without_backups_says_so(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "backup", "restore", "--latest-good")
    assert code == 1 and "there is no sound backup to restore" in err
    code, out, _ = run(capsys, "backup", "list")
    assert code == 0 and out.startswith("No backups yet")
