"""What a user sees when the data dir is the problem: an empty ``--data-dir``, and the
window on a truncated collection, a read-only disk and a full one. Only real damage gets
the "Restore last good backup" button; a disk that cannot be written says what to do."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.cli.main import main
from app.core import backups
from app.core.models import Card, Deck
from app.core.store import Store

SHOW = Path(__file__).with_name("show_window.py")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_an_empty_data_dir_option_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--data-dir "$UNSET_VARIABLE"`` must not quietly open the real collection."""
    real = tmp_path / "real"
    monkeypatch.setenv("PARLEY_DATA_DIR", str(real))
    for argv in (["decks", "--data-dir", ""], ["--data-dir", " ", "backup", "list"]):
        code = main(argv)
        out, err = capsys.readouterr()
        assert code == 1 and out == ""
        assert err == (
            'parley: --data-dir "": the data folder is empty; name a folder, or leave the '
            "option out to use $PARLEY_DATA_DIR or the default\n"
        )
    assert not real.exists()


def seeded(tmp_path: Path) -> Path:
    """A closed collection of 7 cards with one good backup."""
    data_dir = tmp_path / "seed"
    store = Store.open(data_dir, seed=False)
    with store.session() as s:
        deck = Deck(name="Mine")
        s.add(deck)
        s.flush()
        s.add_all(
            Card(deck_id=deck.id, guid=f"g{i}", kind="flashcard", front=f"Q{i}") for i in range(7)
        )
    store.close()
    backups.create_backup(data_dir / "collection.sqlite3", data_dir, T0, tz=UTC)
    return data_dir


def banner(output: str) -> tuple[str, str]:
    lines = dict(line.split(" ", 1) for line in output.splitlines() if " " in line)
    return lines.get("banner", ""), lines.get("action", "")


def test_the_window_on_a_truncated_collection_offers_the_last_good_backup(
    tmp_path: Path,
) -> None:
    data_dir = seeded(tmp_path)
    (data_dir / "collection.sqlite3").write_bytes(b"")
    done = subprocess.run(
        [sys.executable, str(SHOW), str(data_dir)], capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    text, action = banner(done.stdout)
    assert "damaged (the file is empty)" in text
    assert action == "Restore last good backup"
    assert len(list((data_dir / "backups").iterdir())) == 1  # the empty file not backed up


def _namespace() -> list[str] | None:
    if shutil.which("unshare") is None or sys.platform != "linux":
        return None
    for prefix in (["unshare", "-m"], ["unshare", "-rm"]):
        if subprocess.run([*prefix, "true"], capture_output=True).returncode == 0:
            return prefix
    return None


NAMESPACE = _namespace()


@pytest.mark.skipif(NAMESPACE is None, reason="needs unshare to mount a tmpfs")
@pytest.mark.parametrize("trouble", ["read-only", "full"])
def test_the_window_on_a_disk_it_cannot_write_says_so_and_offers_no_restore(
    tmp_path: Path, trouble: str
) -> None:
    assert NAMESPACE is not None
    seed = seeded(tmp_path)
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    spoil = (
        "mount -o remount,ro $M"
        if trouble == "read-only"
        else "dd if=/dev/zero of=$M/fill bs=4k 2>/dev/null; true"
    )
    script = textwrap.dedent(
        f"""
        M={mnt}
        mount -t tmpfs -o size=2m tmpfs $M || exit 97
        cp -a {seed} $M/d
        {spoil}
        exec {sys.executable} {SHOW} $M/d
        """
    )
    done = subprocess.run(
        [*NAMESPACE, "sh", "-c", script], capture_output=True, text=True, timeout=180
    )
    if done.returncode == 97:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    text, action = banner(done.stdout)
    expected = "cannot write to its data folder" if trouble == "read-only" else "the disk is full"
    assert expected in text and "Your collection is not damaged" in text
    assert action == "none"
    assert "is damaged" not in done.stdout and "Traceback" not in done.stderr


@pytest.mark.skipif(NAMESPACE is None, reason="needs unshare to mount a tmpfs")
def test_restoring_a_backup_in_the_window_when_the_disk_fills_changes_nothing(
    tmp_path: Path,
) -> None:
    """The app is open, the disk fills up, the user restores a backup: one line says the
    disk is full, and the collection is exactly as it was."""
    assert NAMESPACE is not None
    seed = seeded(tmp_path)
    mnt, out = tmp_path / "mnt", tmp_path / "out"
    mnt.mkdir()
    script = textwrap.dedent(
        f"""
        M={mnt}
        mount -t tmpfs -o size=3m tmpfs $M || exit 97
        cp -a {seed} $M/d
        {sys.executable} {SHOW} $M/d --restore-after-filling $M/fill; rc=$?
        rm -f $M/fill
        cp -a $M/d {out}
        exit $rc
        """
    )
    done = subprocess.run(
        [*NAMESPACE, "sh", "-c", script], capture_output=True, text=True, timeout=180
    )
    if done.returncode == 97:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    said = [line for line in done.stdout.splitlines() if line.startswith("message ")]
    assert len(said) == 1, done.stdout
    assert said[0].startswith(f"message error {mnt / 'd'}: the disk is full")
    assert "Traceback" not in done.stderr
    with closing(sqlite3.connect(out / "collection.sqlite3")) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM card").fetchone()[0] == 7 + 80
    left = list((out / "backups").iterdir())
    assert all(p.stat().st_size > 0 and "before-restore" not in p.name for p in left)
    assert not [p for p in out.iterdir() if p.name.endswith((".restoring", ".part"))]
