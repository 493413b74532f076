"""Runs killed mid-way leave temporaries behind; the next start clears the stale ones and
leaves alone those a run in progress is still writing."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from app.core.importing import prepare_import
from app.core.store import Store
from app.core.sweep import sweep_stale
from app.model.paths import backups_dir, models_dir, recordings_dir

HOURS = 3600.0


def age(path: Path, seconds: float) -> Path:
    """Make ``path`` (and everything in it) look last written ``seconds`` ago."""
    when = time.time() - seconds
    for root, dirs, files in os.walk(path):
        for name in (*dirs, *files):
            os.utime(os.path.join(root, name), (when, when))
    os.utime(path, (when, when))
    return path


def leftovers(data_dir: Path, prefix: str) -> dict[str, Path]:
    """One of each temporary a killed run leaves, the big ones with content."""
    import_dir = data_dir / f".import-{prefix}abc123"
    import_dir.mkdir(parents=True)
    (import_dir / "media-00001.mp3").write_bytes(b"ID3" * 1000)
    installing = models_dir(data_dir) / f".installing-{prefix}xyz"
    (installing / "model").mkdir(parents=True)
    (installing / "model" / "model.bin").write_bytes(b"\0" * 4096)
    backups_dir(data_dir).mkdir(parents=True, exist_ok=True)
    part = backups_dir(data_dir) / f".{prefix}collection-2026-12-01-1200.sqlite3.part"
    part.write_bytes(b"SQLite format 3\0")
    recordings_dir(data_dir).mkdir(parents=True, exist_ok=True)
    wav_part = recordings_dir(data_dir) / f".{prefix}answer-k2j3.wav.part"
    wav_part.write_bytes(b"RIFF")
    return {"import": import_dir, "install": installing, "backup": part, "recording": wav_part}


def test_opening_the_collection_clears_what_killed_runs_left_hours_ago(data_dir: Path) -> None:
    stale = {k: age(p, 5 * HOURS) for k, p in leftovers(data_dir, "old-").items()}
    keep = recordings_dir(data_dir) / "answer-1.wav"  # a finished recording, however old
    keep.write_bytes(b"RIFF....WAVE")
    age(keep, 30 * 24 * HOURS)

    Store.open(data_dir).close()

    assert {k: p.exists() for k, p in stale.items()} == dict.fromkeys(stale, False)
    assert keep.read_bytes() == b"RIFF....WAVE"
    assert models_dir(data_dir).is_dir() and backups_dir(data_dir).is_dir()


def test_a_run_in_progress_keeps_its_temporaries(data_dir: Path) -> None:
    fresh = leftovers(data_dir, "new-")
    # A model copy that started long ago but is still writing its big file.
    installing = fresh["install"]
    age(installing, 5 * HOURS)
    (installing / "model" / "model.bin").write_bytes(b"\0" * 8192)

    report = sweep_stale(data_dir)

    assert report.removed == []
    assert all(p.exists() for p in fresh.values())
    assert sorted(report.kept) == sorted(fresh.values())


def test_an_import_preview_left_open_for_hours_is_not_swept_while_its_app_runs(
    data_dir: Path, tmp_path: Path
) -> None:
    deck = tmp_path / "deck.csv"
    deck.write_text("front,back\nHello,World\n", encoding="utf-8")
    prepared = prepare_import(data_dir, deck)  # staged by this (living) process
    age(prepared.staging, 5 * HOURS)
    # ...while an import of a process that was killed is cleared.
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    orphan = age(_mkdir(data_dir / f".import-{dead.stdout.strip()}-q1w2e3"), 5 * HOURS)

    report = sweep_stale(data_dir)

    assert prepared.staging.is_dir()
    assert not orphan.exists() and report.removed == [orphan]
    prepared.discard()


def test_a_symlink_that_looks_like_a_temporary_is_never_followed(
    data_dir: Path, tmp_path: Path
) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work", encoding="utf-8")
    data_dir.mkdir(parents=True)
    link = data_dir / ".import-trap"
    link.symlink_to(precious, target_is_directory=True)

    sweep_stale(data_dir, max_age_s=0)

    assert (precious / "thesis.txt").read_text(encoding="utf-8") == "years of work"


def test_a_sweep_of_a_data_dir_that_does_not_exist_yet_does_nothing(tmp_path: Path) -> None:
    report = sweep_stale(tmp_path / "nowhere")
    assert (report.removed, report.kept, report.failed) == ([], [], [])


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True)
    (path / "media-00001.mp3").write_bytes(b"ID3")
    return path
