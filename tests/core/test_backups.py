"""Backups as a user lives with them: made while studying, thinned out over a year,
restored after a mistake, and the way back when the collection file is damaged."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from app.core import backups, services
from app.core.models import Card, Deck
from app.core.store import Store
from app.model.errors import CorruptCollectionError, KnownError
from app.model.paths import backups_dir

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


def open_store(data_dir: Path) -> Store:
    return Store.open(data_dir, seed=False)


def add_cards(store: Store, n: int, deck: str = "Demo") -> list[int]:
    with store.session() as s:
        d = s.query(Deck).filter_by(name=deck).one_or_none() or Deck(name=deck)
        s.add(d)
        s.flush()
        start = len(d.cards)
        cards = [
            Card(deck_id=d.id, guid=f"g{start + i}", kind="flashcard", front=f"Q{start + i}")
            for i in range(n)
        ]
        s.add_all(cards)
        s.flush()
        return [c.id for c in cards]


def count(db: Path, table: str) -> int:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def corrupt(path: Path) -> None:
    """Overwrite a few pages in the middle of the file, as a failing disk would."""
    data = bytearray(path.read_bytes())
    middle = (len(data) // 2) // 4096 * 4096
    data[middle : middle + 3 * 4096] = b"\xa5" * (3 * 4096)
    path.write_bytes(bytes(data))


def names(data_dir: Path) -> list[str]:
    return sorted(p.name for p in backups_dir(data_dir).iterdir())


def test_a_backup_taken_mid_session_holds_every_committed_review(data_dir: Path) -> None:
    store = open_store(data_dir)
    ids = add_cards(store, 3)
    with store.session() as s:
        services.review_card(s, ids[0], 3, T0)
    # The review still sits in the -wal file; the backup API sees it, a file copy might not.
    assert Path(f"{store.db_path}-wal").stat().st_size > 0
    path = backups.create_backup(store.db_path, data_dir, T0, tz=UTC)
    store.close()
    assert path.name == "parley-20260101-090000.sqlite3"
    assert count(path, "review_log") == 1 and count(path, "card") == 3
    assert backups.check_integrity(path) is None
    assert names(data_dir) == [path.name]  # standalone: no -wal, no temp file left
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_maybe_backup_runs_at_start_and_then_every_half_hour_of_use(data_dir: Path) -> None:
    store = open_store(data_dir)
    assert backups.maybe_backup(store.db_path, store.data_dir, T0, tz=UTC) is not None  # at start
    assert (
        backups.maybe_backup(store.db_path, store.data_dir, T0 + timedelta(minutes=10), tz=UTC)
        is None
    )
    assert (
        backups.maybe_backup(store.db_path, store.data_dir, T0 + timedelta(minutes=29), tz=UTC)
        is None
    )
    assert (
        backups.maybe_backup(store.db_path, store.data_dir, T0 + timedelta(minutes=30), tz=UTC)
        is not None
    )
    # A clock set back (travel, a fixed BIOS clock) must not stop backups for good.
    assert (
        backups.maybe_backup(store.db_path, store.data_dir, T0 - timedelta(days=1), tz=UTC)
        is not None
    )
    store.close()
    assert len(backups.list_backups(data_dir, tz=UTC)) == 3


def test_a_year_of_weekday_study_keeps_exactly_what_anki_would() -> None:
    """Mon–Fri, three half-hourly backups in the morning and one in the evening, for
    all of 2025, rotating after every backup. On Wednesday 31 December we keep:"""
    kept: set[datetime] = set()
    day = date(2025, 1, 1)
    now = T0
    while day <= date(2025, 12, 31):
        if day.weekday() < 5:
            for hour, minute in ((8, 0), (8, 30), (9, 0), (20, 0)):
                now = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
                kept = backups.backups_to_keep(kept | {now}, now, tz=UTC)
        day += timedelta(days=1)

    def at(d: str, hm: str = "20:00") -> datetime:
        return datetime.fromisoformat(f"2025-{d}T{hm}:00+00:00")

    today_and_yesterday = [
        at(d, hm) for d in ("12-31", "12-30") for hm in ("08:00", "08:30", "09:00", "20:00")
    ]
    # the newest backup of each of the 12 study days before yesterday
    daily = [
        at(d)
        for d in (
            "12-29",
            "12-26",
            "12-25",
            "12-24",
            "12-23",
            "12-22",
            "12-19",
            "12-18",
            "12-17",
            "12-16",
            "12-15",
            "12-12",
        )
    ]
    # then the newest (a Friday) of each of 10 earlier weeks
    weekly = [
        at(d)
        for d in (
            "12-05",
            "11-28",
            "11-21",
            "11-14",
            "11-07",
            "10-31",
            "10-24",
            "10-17",
            "10-10",
            "10-03",
        )
    ]
    # then the newest of each of 9 earlier months: their last weekday
    monthly = [
        at(d)
        for d in ("09-30", "08-29", "07-31", "06-30", "05-30", "04-30", "03-31", "02-28", "01-31")
    ]
    assert sorted(kept) == sorted(today_and_yesterday + daily + weekly + monthly)
    assert len(kept) == 8 + 12 + 10 + 9


def test_rotation_deletes_backup_files_on_a_fake_clock(data_dir: Path) -> None:
    """Thirty days of study, three backups a morning, through maybe_backup itself."""
    store = open_store(data_dir)
    for offset in range(30):  # 1–30 January 2026
        for minutes in (0, 30, 60):
            now = T0 + timedelta(days=offset, minutes=minutes)
            assert backups.maybe_backup(store.db_path, store.data_dir, now, tz=UTC) is not None
    store.close()
    recent = [
        f"parley-202601{d}-{t}.sqlite3"
        for d in ("29", "30")
        for t in ("090000", "093000", "100000")
    ]
    daily = [f"parley-202601{d:02d}-100000.sqlite3" for d in range(17, 29)]
    # Saturday 17 January is in ISO week 3; the weeks before end on Sundays 11 and 4.
    weekly = ["parley-20260111-100000.sqlite3", "parley-20260104-100000.sqlite3"]
    assert names(data_dir) == sorted(recent + daily + weekly)


def test_restore_brings_back_the_backup_and_keeps_the_current_collection(
    data_dir: Path,
) -> None:
    store = open_store(data_dir)
    add_cards(store, 5)
    good = backups.create_backup(store.db_path, data_dir, T0, tz=UTC)
    add_cards(store, 7)  # say these were a mistaken import
    store.close()

    kept = backups.restore(data_dir, good, now=T0 + timedelta(hours=1), tz=UTC)

    assert kept is not None and kept.name == "parley-20260101-100000-before-restore.sqlite3"
    assert count(kept, "card") == 12
    assert not Path(f"{data_dir / 'collection.sqlite3'}-wal").exists()
    reopened = open_store(data_dir)
    with reopened.session() as s:
        assert s.query(Card).count() == 5
    reopened.close()
    assert [b.cards for b in backups.list_backups(data_dir, tz=UTC)] == [12, 5]


def test_a_stale_wal_beside_the_collection_is_not_replayed_into_the_restored_one(
    data_dir: Path,
) -> None:
    """An old -wal left beside the collection must not be replayed into the backup."""
    store = open_store(data_dir)
    add_cards(store, 2)
    good = backups.create_backup(store.db_path, data_dir, T0, tz=UTC)
    # Hold a connection open so the -wal stays behind with 3 more cards in it.
    holder = sqlite3.connect(store.db_path)
    holder.execute("SELECT count(*) FROM card").fetchall()
    add_cards(store, 3)
    store.close()
    assert Path(f"{store.db_path}-wal").exists()
    backups.restore(data_dir, good, now=T0 + timedelta(minutes=5), tz=UTC)
    holder.close()
    assert backups.check_integrity(store.db_path) is None
    assert count(store.db_path, "card") == 2


def test_a_damaged_backup_is_refused(data_dir: Path) -> None:
    store = open_store(data_dir)
    add_cards(store, 200)
    path = backups.create_backup(store.db_path, data_dir, T0, tz=UTC)
    store.close()
    corrupt(path)
    with pytest.raises(KnownError, match="this backup is damaged too"):
        backups.restore(data_dir, path)
    assert count(store.db_path, "card") == 200


def test_a_damaged_collection_is_caught_and_the_last_good_backup_restored(
    data_dir: Path,
) -> None:
    store = open_store(data_dir)
    add_cards(store, 300)
    good = backups.create_backup(store.db_path, data_dir, T0, tz=UTC)
    bad = backups.create_backup(store.db_path, data_dir, T0 + timedelta(hours=1), tz=UTC)
    store.close()
    corrupt(bad)  # the newest backup is damaged as well
    corrupt(store.db_path)

    problem = backups.check_integrity(store.db_path)
    assert problem is not None
    with pytest.raises(CorruptCollectionError) as caught:
        open_store(data_dir)
    message = str(caught.value)
    assert "collection is damaged" in message and "--latest-good" in message

    chosen, kept = backups.restore_latest_good(data_dir, now=T0 + timedelta(hours=2), tz=UTC)

    assert chosen.path == good and chosen.cards == 300
    assert kept is not None and kept.name == "damaged-20260101-110000.sqlite3"
    reopened = open_store(data_dir)
    with reopened.session() as s:
        assert s.query(Card).count() == 300
    reopened.close()
    assert backups.check_integrity(store.db_path) is None


def test_backup_names_that_are_not_ours_are_left_alone(data_dir: Path) -> None:
    folder = backups_dir(data_dir)
    folder.mkdir(parents=True)
    for name in ("notes.txt", "parley-2026.sqlite3", "parley-20261399-000000.sqlite3"):
        (folder / name).write_text("x")
    assert backups.list_backups(data_dir) == []
    assert backups.prune(data_dir, T0) == []
    assert len(list(folder.iterdir())) == 3
