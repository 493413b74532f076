"""Damage told from trouble with the disk. A truncated collection next to backups is
damaged, not new, and never becomes the "last good" backup; a read-only or full disk says
so and what to do, offers no restore, and a restore on a full disk changes nothing."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.cli.main import main
from app.core import backups
from app.core.db import HEAD_REVISION
from app.core.models import Card, Deck
from app.core.store import Store
from app.model.errors import CorruptCollectionError, KnownError
from app.model.paths import backups_dir

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def collection_with_cards(data_dir: Path, n: int = 7) -> Path:
    store = Store.open(data_dir, seed=False)
    with store.session() as s:
        deck = Deck(name="Mine")
        s.add(deck)
        s.flush()
        s.add_all(
            Card(deck_id=deck.id, guid=f"g{i}", kind="flashcard", front=f"Q{i}") for i in range(n)
        )
    store.close()
    return data_dir / "collection.sqlite3"


def cards(db: Path) -> int:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        return int(conn.execute("SELECT count(*) FROM card").fetchone()[0])


def backup_names(data_dir: Path) -> list[str]:
    return sorted(p.name for p in backups_dir(data_dir).iterdir())


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# -- a 0-byte collection ------------------------------------------------------------------
def test_an_emptied_collection_next_to_backups_is_damaged_and_the_real_one_comes_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The collection file was truncated to 0 bytes (a crash of the file system, a bad
    sync tool). Parley does not start a new collection over it: it says it is damaged,
    makes no backup of it, and --latest-good brings back the real one."""
    data_dir = tmp_path / "data"
    db = collection_with_cards(data_dir)
    backups.create_backup(db, data_dir, T0, tz=UTC)
    db.write_bytes(b"")
    before = backup_names(data_dir)

    code, out, err = run(capsys, "decks", "--data-dir", str(data_dir))

    assert code == 1 and out == ""
    assert err == (
        f"parley: {db}: the collection is damaged (the file is empty). Your backups are "
        "safe: restore the last good one with File › Restore backup… or "
        "`parley backup restore --latest-good`.\n"
    )
    assert db.stat().st_size == 0  # left as it was, not turned into a new collection
    assert backup_names(data_dir) == before
    code, _, err = run(capsys, "backup", "check", "--data-dir", str(data_dir))
    assert code == 1 and "the file is empty" in err

    code, out, err = run(capsys, "backup", "restore", "--latest-good", "--data-dir", str(data_dir))

    assert code == 0, err
    assert cards(db) == 7


def test_an_empty_file_with_no_backups_beside_it_is_a_new_collection(tmp_path: Path) -> None:
    """A first run killed before its first commit leaves an empty file and nothing to
    lose: the next start makes the collection as if the file were not there."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "collection.sqlite3").write_bytes(b"")
    store = Store.open(data_dir)
    with store.session() as s:
        assert s.query(Card).count() == 80  # the built-in deck
    store.close()


def test_a_file_that_is_not_sqlite_next_to_backups_is_damaged(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    db = collection_with_cards(data_dir)
    backups.create_backup(db, data_dir, T0, tz=UTC)
    db.write_bytes(b"PK\x03\x04 a zip someone saved over it" * 100)
    with pytest.raises(CorruptCollectionError, match="not an SQLite database"):
        Store.open(data_dir)


def test_latest_good_skips_sound_backups_that_hold_no_cards(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An older Parley backed up the emptied collection as if it were new; that newer,
    sound but empty backup is not what --latest-good restores."""
    data_dir = tmp_path / "data"
    db = collection_with_cards(data_dir)
    good = backups.create_backup(db, data_dir, T0, tz=UTC)
    empty_dir = tmp_path / "empty"
    Store.open(empty_dir, seed=False).close()
    shutil.copyfile(
        empty_dir / "collection.sqlite3",
        backups_dir(data_dir) / backups.backup_name(T0 + timedelta(hours=1), UTC),
    )
    db.write_bytes(b"")

    chosen = backups.latest_good_backup(data_dir, tz=UTC)

    assert chosen is not None and chosen.path == good and chosen.cards == 7
    code, out, err = run(capsys, "backup", "restore", "--latest-good", "--data-dir", str(data_dir))
    assert code == 0, err
    assert f"Restored {good}" in out
    assert cards(db) == 7


def test_an_empty_collection_is_never_backed_up_over_a_good_one(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    db = collection_with_cards(data_dir)
    backups.create_backup(db, data_dir, T0, tz=UTC)
    store = Store.open(data_dir, seed=False)
    with store.session() as s:
        s.query(Card).delete()
    before = backup_names(data_dir)

    made = backups.maybe_backup(store.db_path, data_dir, T0 + timedelta(hours=2), tz=UTC)

    store.close()
    assert made is None
    assert backup_names(data_dir) == before


# -- read-only and full disks, for real -----------------------------------------------------
def _namespace_prefix() -> list[str] | None:
    """A private mount namespace to mount a small tmpfs in, without touching the host."""
    if shutil.which("unshare") is None or sys.platform != "linux":
        return None
    for prefix in (["unshare", "-m"], ["unshare", "-rm"]):
        probe = subprocess.run([*prefix, "true"], capture_output=True)
        if probe.returncode == 0:
            return prefix
    return None


NAMESPACE = _namespace_prefix()
needs_namespace = pytest.mark.skipif(NAMESPACE is None, reason="needs unshare to mount a tmpfs")


def in_small_disk(tmp_path: Path, seed: Path, script: str, size: str = "2m") -> Path:
    """Run ``script`` (sh) with ``$D`` a copy of the data dir ``seed`` on a tmpfs of
    ``size``, ``$OUT`` a folder on the real disk and ``$PARLEY`` the command. Each
    ``step NAME ARGS…`` runs ``parley ARGS…`` and keeps its stderr and exit status in
    ``$OUT/NAME.err`` / ``.rc``; at the end the data dir is copied to ``$OUT/after``."""
    assert NAMESPACE is not None
    mnt, out = tmp_path / "mnt", tmp_path / "out"
    mnt.mkdir()
    out.mkdir()
    body = textwrap.dedent(
        f"""
        set -u
        M={mnt}; OUT={out}; D=$M/d; PARLEY="{sys.executable} -m app"
        mount -t tmpfs -o size={size} tmpfs $M || exit 97
        cp -a {seed} $D
        step() {{
            name=$1; shift
            $PARLEY "$@" --data-dir $D >$OUT/$name.out 2>$OUT/$name.err; echo $? >$OUT/$name.rc
        }}
        fill() {{ dd if=/dev/zero of=$M/fill bs=4k 2>/dev/null; true; }}
        {script}
        cp -a $D $OUT/after
        """
    )
    done = subprocess.run(
        [*NAMESPACE, "sh", "-c", body], capture_output=True, text=True, timeout=300
    )
    if done.returncode == 97:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    return out


def step(out: Path, name: str) -> tuple[int, str]:
    return int((out / f"{name}.rc").read_text()), (out / f"{name}.err").read_text()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def seed_dir(tmp_path: Path) -> Path:
    """A closed collection of 7 cards with one good backup."""
    data_dir = tmp_path / "seed"
    db = collection_with_cards(data_dir)
    backups.create_backup(db, data_dir, T0, tz=UTC)
    return data_dir


@needs_namespace
def test_a_read_only_disk_says_so_and_offers_no_restore(tmp_path: Path, seed_dir: Path) -> None:
    out = in_small_disk(
        tmp_path,
        seed_dir,
        """
        mount -o remount,ro $M
        step decks decks
        step check backup check
        step restore backup restore --latest-good
        """,
    )
    for name in ("decks", "check", "restore"):
        code, err = step(out, name)
        assert code == 1
        assert err.count("\n") == 1 and "Traceback" not in err
        assert "is damaged" not in err and "restore" not in err
        assert "Parley cannot write to its data folder (the disk is read-only" in err
        assert "Your collection is not damaged" in err
    assert digest(out / "after" / "collection.sqlite3") == digest(seed_dir / "collection.sqlite3")


@needs_namespace
def test_a_full_disk_says_so_and_a_restore_there_changes_nothing(
    tmp_path: Path, seed_dir: Path
) -> None:
    """The disk filled up. Commands say the disk is full, not that the collection is
    damaged; restoring the last good backup is refused in one line before anything is
    written, and even past that check (the disk filling while it runs) it fails in one
    line and leaves the collection exactly as it was, with no half-written file behind."""
    out = in_small_disk(
        tmp_path,
        seed_dir,
        """
        fill
        step decks decks
        step check backup check
        step restore backup restore --latest-good
        {py} -c "import sys; import app.core.disk as d; d.free_bytes = lambda f: None; \
from app.cli.main import main; sys.exit(main(sys.argv[1:]))" backup restore --latest-good \
--data-dir $D >$OUT/unchecked.out 2>$OUT/unchecked.err; echo $? >$OUT/unchecked.rc
        """.replace("{py}", sys.executable),
    )
    for name in ("decks", "check", "restore", "unchecked"):
        code, err = step(out, name)
        assert code == 1, err
        assert err.count("\n") == 1 and "Traceback" not in err, err
        assert "is damaged" not in err and "--latest-good" not in err, err
        assert f"{tmp_path / 'mnt' / 'd'}: the disk is full" in err, err
    assert "needs about" in step(out, "restore")[1]  # refused before writing anything
    assert "needs about" not in step(out, "unchecked")[1]  # failed writing, cleaned up
    after = out / "after"
    assert digest(after / "collection.sqlite3") == digest(seed_dir / "collection.sqlite3")
    assert cards(after / "collection.sqlite3") == 7
    assert backup_names(after) == backup_names(seed_dir)  # no empty or partial file left
    assert not [p for p in after.iterdir() if p.name.endswith((".restoring", ".part"))]


def test_a_collection_from_a_newer_parley_says_so_and_is_left_alone(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    db = collection_with_cards(data_dir)
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
    with pytest.raises(KnownError) as caught:
        Store.open(data_dir)
    assert str(caught.value) == (
        f"{db}: the collection was saved by a newer version of Parley (schema 0099, this "
        f"one knows up to {HEAD_REVISION}); update Parley to open it"
    )
    assert cards(db) == 7


def test_two_backups_in_the_same_second_both_complete(tmp_path: Path) -> None:
    """The app's half-hourly backup and a ``parley backup create`` in the same second:
    neither deletes the other's half-written file, and the backup left is whole."""
    import threading

    data_dir = tmp_path / "data"
    db = collection_with_cards(data_dir, 300)
    failures: list[BaseException] = []

    def back_up() -> None:
        try:
            backups.create_backup(db, data_dir, T0, tz=UTC)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=back_up) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert backup_names(data_dir) == [backups.backup_name(T0, UTC)]
    only = backups_dir(data_dir) / backups.backup_name(T0, UTC)
    assert backups.check_integrity(only) is None and cards(only) == 300
