"""One owner per data dir, with real processes: writers side by side, a restore that will
not pull the file from under them, first runs and imports that start at the same moment,
and a second window that says the first one has the collection."""

from __future__ import annotations

import os
import queue
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from app.core import backups
from app.core.clock import utcnow
from app.core.models import Card, Deck
from app.core.store import Store

WRITER = Path(__file__).with_name("write_forever.py")
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="flock is POSIX")


class Proc:
    """A child process whose stdout lines are collected as they arrive."""

    def __init__(self, argv: list[str]) -> None:
        self._err = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed in finish()
        self.popen = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=self._err, text=True, env=child_env()
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._pump, daemon=True)
        self._reader.start()
        self.stderr = ""

    def _pump(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, ok: Callable[[list[str]], bool], timeout: float = 120) -> None:
        """Read lines until ``ok(lines)`` holds."""
        deadline = time.monotonic() + timeout
        while not ok(self.lines):
            line = self._queue.get(timeout=max(0.1, deadline - time.monotonic()))
            if line is None:
                pytest.fail(f"the process ended early: {self.lines[-3:]}")
            self.lines.append(line)

    def finish(self, timeout: float = 120) -> int:
        code = self.popen.wait(timeout=timeout)
        self._reader.join(timeout=30)
        while (line := self._queue.get(timeout=5)) is not None:
            self.lines.append(line)
        assert self.popen.stdout is not None
        self.popen.stdout.close()
        self._err.seek(0)
        self.stderr = self._err.read()
        self._err.close()
        return code

    def acks(self) -> set[str]:
        return {line.split()[1] for line in self.lines if line.startswith("ack ")}


def child_env() -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("PARLEY_DATA_DIR", None)
    return env


def parley(*argv: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=child_env(),
    )


def guids(db: Path) -> set[str]:
    with closing(sqlite3.connect(db)) as conn:
        return {r[0] for r in conn.execute("SELECT guid FROM card")}


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def a_collection_with_a_backup(data_dir: Path, cards: int = 5) -> Path:
    store = Store.open(data_dir, seed=False)
    with store.session() as s:
        deck = Deck(name="Mine")
        s.add(deck)
        s.flush()
        s.add_all(
            Card(deck_id=deck.id, guid=f"mine-{i}", kind="flashcard", front=f"Q{i}")
            for i in range(cards)
        )
    store.close()
    return backups.create_backup(data_dir / "collection.sqlite3", data_dir, utcnow())


def test_two_writers_and_a_restore_no_acknowledged_write_is_lost(tmp_path: Path) -> None:
    """Two processes keep committing; a third asks for the last good backup. The restore
    is refused with one line while they have the collection open, every commit they
    reported survives, and once they have closed it the restore goes through and keeps
    all of it in the before-restore backup."""
    data_dir = tmp_path / "data"
    a_collection_with_a_backup(data_dir)
    stop = tmp_path / "stop"
    writers = [Proc([sys.executable, str(WRITER), str(data_dir), name, str(stop)]) for name in "AB"]
    try:
        for w in writers:
            w.wait_for(lambda lines: sum(x.startswith("ack ") for x in lines) >= 5)

        refused = parley("backup", "restore", "--latest-good", "--data-dir", str(data_dir))

        assert refused.returncode == 1
        line = one_line(refused.stderr)
        assert line.startswith(f"parley: {data_dir}: cannot restore a backup while")
        assert "open in another Parley process" in line
        # They went on writing all along.
        for w in writers:
            before = len(w.acks())

            def acked_more(lines: list[str], before: int = before) -> bool:
                return sum(x.startswith("ack ") for x in lines) > before

            w.wait_for(acked_more)
    finally:
        stop.touch()
        codes = [w.finish() for w in writers]
    assert codes == [0, 0]
    acked = set().union(*(w.acks() for w in writers))
    assert len(acked) >= 10
    db = data_dir / "collection.sqlite3"
    assert acked <= guids(db)

    done = parley("backup", "restore", "--latest-good", "--data-dir", str(data_dir))

    assert done.returncode == 0, done.stderr
    kept = Path(done.stdout.strip().splitlines()[-1].rsplit(" ", 1)[1])
    assert kept.name.endswith("-before-restore.sqlite3")
    assert acked <= guids(kept)  # nothing anyone was told was saved is gone
    assert guids(db) == {f"mine-{i}" for i in range(5)}


def test_a_collection_being_restored_makes_a_command_wait_then_say_so(tmp_path: Path) -> None:
    """While another process holds the data dir exclusively (a restore or a migration),
    a command waits a few seconds, then fails with one line naming the data dir, and
    changes nothing."""
    data_dir = tmp_path / "data"
    a_collection_with_a_backup(data_dir)
    before = guids(data_dir / "collection.sqlite3")
    holder = Proc(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from app.core import lock\n"
            "with lock.exclusively(Path(sys.argv[1]), doing='restore a backup'):\n"
            "    print('held', flush=True); time.sleep(30)\n",
            str(data_dir),
        ]
    )
    try:
        holder.wait_for(lambda lines: "held" in lines)
        started = time.monotonic()
        blocked = parley("decks", "--data-dir", str(data_dir))
        waited = time.monotonic() - started
    finally:
        holder.popen.kill()
        holder.finish()
    assert blocked.returncode == 1
    line = one_line(blocked.stderr)
    assert line == (
        f"parley: {data_dir}: another Parley process is restoring or upgrading the "
        "collection; try again when it has finished"
    )
    assert waited >= 4  # it waited before giving up
    assert guids(data_dir / "collection.sqlite3") == before
    # The holder is gone (killed: the kernel drops its lock); the command works again.
    assert parley("decks", "--data-dir", str(data_dir)).returncode == 0


def test_first_runs_started_together_on_a_fresh_dir_all_succeed(tmp_path: Path) -> None:
    """Four commands on a data dir that does not exist yet: one migrates and seeds, the
    others wait for it; nobody sees "table deck already exists"."""
    data_dir = tmp_path / "fresh"
    procs = [
        Proc([sys.executable, "-m", "app", "decks", "--json", "--data-dir", str(data_dir)])
        for _ in range(4)
    ]
    results = [(p.finish(), p.stderr) for p in procs]
    assert results == [(0, "")] * 4
    with closing(sqlite3.connect(data_dir / "collection.sqlite3")) as conn:
        assert conn.execute("SELECT count(*) FROM deck").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM card").fetchone()[0] == 80


def test_imports_started_together_all_land_with_their_own_ids(tmp_path: Path) -> None:
    """Three imports at once into three decks of one collection: every card of every deck
    arrives, none fails with "UNIQUE constraint failed: card.id"."""
    data_dir = tmp_path / "data"
    for name in ("alpha", "beta", "gamma"):  # decks that exist already
        first = tmp_path / f"{name}-first.tsv"
        first.write_text(f"{name} first question\t{name} first answer\n")
        assert (
            parley("import", str(first), "--deck", name, "--data-dir", str(data_dir)).returncode
            == 0
        )
    files = []
    for name in ("alpha", "beta", "gamma"):
        path = tmp_path / f"{name}.tsv"
        path.write_text("".join(f"{name} question {i}\t{name} answer {i}\n" for i in range(1500)))
        files.append((name, path))
    procs = [
        Proc(
            [
                *(sys.executable, "-m", "app", "import", str(path)),
                *("--deck", name, "--json", "--data-dir", str(data_dir)),
            ]
        )
        for name, path in files
    ]
    results = [(p.finish(), p.stderr) for p in procs]
    assert [code for code, _ in results] == [0, 0, 0], results
    with closing(sqlite3.connect(data_dir / "collection.sqlite3")) as conn:
        per_deck = dict(
            conn.execute(
                "SELECT deck.name, count(*) FROM card JOIN deck ON deck.id = card.deck_id "
                "GROUP BY deck.name"
            ).fetchall()
        )
        orphans = conn.execute(
            "SELECT count(*) FROM key_point WHERE card_id NOT IN (SELECT id FROM card)"
        ).fetchone()[0]
    assert per_deck == {"RAG vs Fine-Tuning": 80, "alpha": 1501, "beta": 1501, "gamma": 1501}
    assert orphans == 0


def test_a_second_window_on_the_same_data_dir_says_the_first_has_it(tmp_path: Path) -> None:
    """The app is open; starting it again on the same data dir does not open a second
    window (which would overwrite the first one's settings): it says, in one line, that
    the collection is open in another window, and exits non-zero."""
    data_dir = tmp_path / "data"
    first = Proc(
        [sys.executable, "-m", "app", "gui", "--report-startup", "--data-dir", str(data_dir)]
    )
    try:
        first.wait_for(lambda lines: "startup decks-shown" in lines)
        settings = data_dir / "settings.json"
        settings_before = settings.read_bytes() if settings.exists() else None

        second = parley("gui", "--quit-after-start", "--data-dir", str(data_dir))

        assert second.returncode == 1
        line = one_line("\n".join(x for x in second.stderr.splitlines() if "parley:" in x))
        assert line == (
            f"parley: {data_dir}: Parley is already open in another window "
            f"(process {first.popen.pid}); switch to that window, or close it first"
        )
        assert "Traceback" not in second.stderr
        assert (settings.read_bytes() if settings.exists() else None) == settings_before
    finally:
        first.popen.terminate()
        first.finish()
    # The first window is gone, and with it its claim.
    again = parley("gui", "--quit-after-start", "--data-dir", str(data_dir))
    assert again.returncode == 0, again.stderr


def test_a_refused_restore_leaves_this_process_still_holding_its_collection(
    tmp_path: Path,
) -> None:
    """This process has the collection open and asks for a restore while another process
    has it open too: the restore is refused, and this process still holds the collection
    (a restore from a third process is refused) until it closes it."""
    from app.core.lock import DataDirBusyError

    data_dir = tmp_path / "data"
    good = a_collection_with_a_backup(data_dir)
    stop = tmp_path / "stop"
    writer = Proc([sys.executable, str(WRITER), str(data_dir), "W", str(stop)])
    store = Store.open(data_dir, seed=False)
    try:
        writer.wait_for(lambda lines: "open" in lines)
        with pytest.raises(DataDirBusyError, match="cannot restore a backup while"):
            backups.restore(data_dir, good, wait=0.5)
        stop.touch()
        assert writer.finish() == 0
        refused = parley("backup", "restore", "--latest-good", "--data-dir", str(data_dir))
        assert refused.returncode == 1 and "open in another Parley process" in refused.stderr
        with store.session() as s:  # and it can still write
            s.add(Card(deck_id=1, guid="still-mine", kind="flashcard", front="x"))
    finally:
        store.close()
    assert {"still-mine"} | writer.acks() <= guids(data_dir / "collection.sqlite3")
    done = parley("backup", "restore", "--latest-good", "--data-dir", str(data_dir))
    assert done.returncode == 0, done.stderr
