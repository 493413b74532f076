"""Pull the plug mid-session: the app is SIGKILLed while a review session runs through
the real window, and nothing it reported as done may be missing afterwards."""

from __future__ import annotations

import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import wave
from contextlib import closing
from pathlib import Path

import pytest

from app.core import backups
from app.core.attempts import resolve_recording
from app.core.store import Store

DRIVER = Path(__file__).with_name("drive_session.py")
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


def run_and_kill(data_dir: Path, kill_after: int, timeout: float = 120) -> list[str]:
    """Start the session, SIGKILL it once ``kill_after`` reviews are reported, and return
    every line it managed to print."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PARLEY_DATA_DIR=str(data_dir))
    proc = subprocess.Popen(
        [sys.executable, str(DRIVER), str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line.strip())
        lines.put(None)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    try:
        while sum(line.startswith("review ") for line in seen) < kill_after:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if line is None:
                pytest.fail(f"the session ended before {kill_after} reviews: {seen[-3:]}")
            seen.append(line)
        os.kill(proc.pid, signal.SIGKILL)  # mid-session, whatever it is doing
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
    reader.join(timeout=30)
    # Lines already flushed into the pipe before the kill were promises too.
    while (line := lines.get(timeout=5)) is not None:
        seen.append(line)
    assert proc.stdout is not None
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    return seen


def complete_wav(path: Path) -> bool:
    try:
        with wave.open(str(path), "rb") as w:
            return w.getnframes() == 16_000 and len(w.readframes(16_000)) == 32_000
    except (OSError, wave.Error, EOFError):
        return False


@pytest.mark.parametrize("kill_after", [1, 7, 20])
def test_killing_the_app_mid_session_loses_no_finished_review_or_attempt(
    tmp_path: Path, kill_after: int
) -> None:
    data_dir = tmp_path / "data"
    printed = run_and_kill(data_dir, kill_after)
    reviews = {int(line.split()[1]) for line in printed if line.startswith("review ")}
    attempts = {
        int(line.split()[1]): Path(line.split(maxsplit=2)[2])
        for line in printed
        if line.startswith("attempt ")
    }
    assert len(reviews) >= kill_after

    db = data_dir / "collection.sqlite3"
    # The file as the killed process left it: -wal and all. SQLite replays the WAL here.
    assert backups.check_integrity(db) is None
    with closing(sqlite3.connect(db)) as conn:
        stored_reviews = {r[0] for r in conn.execute("SELECT id FROM review_log")}
        stored_attempts = dict(conn.execute("SELECT id, audio_path FROM attempt").fetchall())
    assert reviews <= stored_reviews
    assert set(attempts) <= set(stored_attempts)
    for attempt_id, path in attempts.items():
        # Stored relative to the data dir, so the folder can move (issue 13, fault 4).
        assert resolve_recording(stored_attempts[attempt_id], data_dir) == path
        assert complete_wav(path), path
    # Any recording on disk is whole: a kill mid-write leaves at most a hidden .part file.
    for wav in (data_dir / "recordings").glob("*.wav"):
        assert complete_wav(wav), wav

    # And the app opens the collection again as if nothing happened.
    store = Store.open(data_dir)
    with store.session() as s:
        from app.core.models import ReviewLog

        assert s.query(ReviewLog).count() == len(stored_reviews)
    store.close()
