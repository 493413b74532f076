"""An Anki user's review history comes along when they ask for scheduling: Parley's
statistics count their Anki reviews, re-importing adds only what is new, and the history
goes back to Anki, Parley's own reviews included (issue 15)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from app.cli.main import main
from app.core import services
from app.core.clock import utcnow
from app.core.store import Store

from anki_notes import deck_id, new_note

if TYPE_CHECKING:
    from anki.cards import CardId
    from anki.collection import Collection
    from anki.dbproxy import DBProxy

    StudiedAnki = tuple[Collection, dict[str, CardId]]

DECK = "Protocols"
DAY_MS = 86_400_000


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def export(col: Collection, out: Path) -> Path:
    from anki.collection import DeckIdLimit, ExportAnkiPackageOptions

    options = ExportAnkiPackageOptions(
        with_scheduling=True, with_deck_configs=False, with_media=False, legacy=False
    )
    col.export_anki_package(
        out_path=str(out), options=options, limit=DeckIdLimit(deck_id(col, DECK))
    )
    return out


def db(col: Collection) -> DBProxy:
    if col.db is None:
        raise LookupError("the test collection is closed")
    return col.db


@pytest.fixture
def anki(tmp_path: Path) -> Iterator[StudiedAnki]:
    """A collection where one card was studied three weeks ago (two learning steps, a
    review, a lapse and a manual reschedule, which is no review) and another one was
    answered today by Anki's own scheduler."""
    from anki.collection import Collection
    from anki.consts import CARD_TYPE_REV, QUEUE_TYPE_REV

    (tmp_path / "anki").mkdir()
    col = Collection(str(tmp_path / "anki" / "source.anki2"))
    deck = deck_id(col, DECK)
    col.decks.select(deck)
    ids = {}
    for role, front in (("old", "What does TCP guarantee?"), ("today", "Port of HTTPS")):
        note = new_note(col, "Basic")
        note["Front"], note["Back"] = front, "an answer"
        note.tags = [role]
        col.add_note(note, deck)
        ids[role] = note.cards()[0].id
    now_ms = int(time.time() * 1000)
    start = now_ms - 21 * DAY_MS
    old = [  # id, ease, ivl, lastIvl, factor, time, type
        (start, 3, -600, 0, 0, 8000, 0),
        (start + 600_000, 3, 1, -600, 2500, 5000, 0),
        (start + DAY_MS, 4, 4, 1, 2650, 4000, 1),
        (start + 5 * DAY_MS, 1, -600, 4, 2450, 9000, 1),
        (start + 6 * DAY_MS, 0, 3, 4, 2450, 0, 4),  # "set due date": not an answer
    ]
    for row in old:
        db(col).execute(
            "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
            "VALUES (?, ?, -1, ?, ?, ?, ?, ?, ?)",
            row[0], ids["old"], *row[1:],
        )  # fmt: skip
    card = col.get_card(ids["old"])
    card.type, card.queue = CARD_TYPE_REV, QUEUE_TYPE_REV
    card.ivl, card.due, card.reps, card.lapses, card.factor = 3, col.sched.today + 2, 4, 1, 2450
    col.update_card(card)
    queued = col.sched.getCard()
    assert queued is not None and queued.id == ids["today"]
    col.sched.answerCard(queued, 3)
    yield col, ids
    col.close()


def test_anki_reviews_become_parley_history_that_statistics_show(
    anki: StudiedAnki, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    col, _ids = anki
    package = export(col, tmp_path / "protocols.apkg")
    data = str(tmp_path / "data")

    summary = json.loads(
        run(capsys, "import", str(package), "--with-scheduling", "--json", "--data-dir", data)
    )
    stats = json.loads(run(capsys, "stats", "--deck", DECK, "--json", "--data-dir", data))

    # Four answers to the old card (the reschedule is left out) and one given today.
    assert summary["reviews"] == 5
    assert stats["totals"]["reviews"] == 5
    assert stats["totals"]["reviews_today"] == 1
    per_day = {d["date"]: (d["new"], d["review"]) for d in stats["reviews_per_day"] if d["count"]}
    assert sorted(per_day.values()) == [(0, 1), (0, 1), (1, 0), (1, 1)]
    # Retention counts the answers to cards already seen: the old card's second learning
    # step (Good) and its review (Easy) passed, its lapse (Again) did not.
    overall = stats["retention"]["overall"]
    assert (overall["passed"], overall["reviews"]) == (2, 3)


def test_without_scheduling_no_history_comes_and_re_importing_adds_only_new_reviews(
    anki: StudiedAnki, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    col, ids = anki
    data = str(tmp_path / "data")
    first = export(col, tmp_path / "first.apkg")
    plain = json.loads(run(capsys, "import", str(first), "--json", "--data-dir", data))
    assert plain["reviews"] == 0

    again = json.loads(
        run(capsys, "import", str(first), "--with-scheduling", "--json", "--data-dir", data)
    )
    # The cards were there already; their Anki history joins them, once.
    assert again["reviews"] == 5
    # One more review in Anki (a Good on the old card, a day ago), then a new export.
    db(col).execute(
        "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
        "VALUES (?, ?, -1, 3, 9, 3, 2450, 6000, 1)",
        int(time.time() * 1000) - DAY_MS, ids["old"],
    )  # fmt: skip
    second = export(col, tmp_path / "second.apkg")
    later = json.loads(
        run(capsys, "import", str(second), "--with-scheduling", "--json", "--data-dir", data)
    )
    assert later["reviews"] == 1
    stats = json.loads(run(capsys, "stats", "--deck", DECK, "--json", "--data-dir", data))
    assert stats["totals"]["reviews"] == 6


def test_the_history_goes_back_to_anki_with_parleys_own_reviews(
    anki: StudiedAnki, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    col, _ids = anki
    anki_log = {tuple(r) for r in db(col).all("SELECT id, ease, ivl, lastIvl, type FROM revlog")}
    data_dir = tmp_path / "data"
    run(capsys, "import", str(export(col, tmp_path / "p.apkg")), "--with-scheduling",
        "--data-dir", str(data_dir))  # fmt: skip
    store = Store.open(data_dir)
    try:
        with store.session() as s:
            (today,) = [c for c in services.list_cards(s, DECK) if c.tags == ["today"]]
            services.review_card(s, today.id, 4, utcnow(), duration_ms=3000)
    finally:
        store.close()
    out = tmp_path / "back.apkg"
    run(capsys, "export", "--deck", DECK, "-o", str(out), "--with-scheduling",
        "--data-dir", str(data_dir))  # fmt: skip

    (tmp_path / "fresh").mkdir()
    fresh = Collection(str(tmp_path / "fresh" / "fresh.anki2"))
    try:
        fresh.import_anki_package(
            ImportAnkiPackageRequest(
                package_path=str(out), options=ImportAnkiPackageOptions(with_scheduling=True)
            )
        )
        back = db(fresh).all("SELECT id, ease, ivl, lastIvl, type, cid, time FROM revlog")
        by_front = {fresh.get_card(cid).note()["Front"]: cid for cid in {row[5] for row in back}}
        answered = {tuple(r[:5]) for r in back}
        # Every answer Anki logged comes back as Anki logged it (not the reschedule) ...
        assert {r for r in anki_log if r[4] != 4} <= answered
        # ... each on its own card, and Parley's Easy goes along as a review of that card.
        parleys = [r for r in back if tuple(r[:5]) not in anki_log]
        assert len(parleys) == 1
        assert parleys[0][1] == 4 and parleys[0][6] == 3000
        assert parleys[0][5] == by_front["Port of HTTPS"]
        assert len([r for r in back if r[5] == by_front["What does TCP guarantee?"]]) == 4
    finally:
        fresh.close()
