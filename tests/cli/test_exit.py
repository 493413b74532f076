"""Leaving the program: ``parley`` as a process skips Python's last cycle collection.

That collection walks every object the loaded modules hold and finds next to nothing,
a tenth of a second at the end of every command (issue 15); ``app.cli.main.run`` freezes
them first. Tests call ``main`` in their own process, which must not be frozen.
"""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.main import main

# Runs ``python -m app decks`` as the program does, and reports at exit, after the
# command and its cleanup, how many objects were frozen.
_AS_PROGRAM = """
import atexit, gc, runpy, sys
atexit.register(lambda: print("frozen", gc.get_freeze_count()))
sys.argv = ["parley", "decks", "--data-dir", sys.argv[1]]
runpy.run_module("app", run_name="__main__")
"""


def test_the_program_freezes_what_it_loaded_before_it_exits(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _AS_PROGRAM, str(tmp_path / "data")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "RAG vs Fine-Tuning" in done.stdout  # the command ran
    label, count = done.stdout.splitlines()[-1].split()
    assert label == "frozen" and int(count) > 10_000


def test_main_called_in_process_freezes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = gc.get_freeze_count()
    assert main(["decks", "--data-dir", str(tmp_path / "data")]) == 0
    assert "RAG vs Fine-Tuning" in capsys.readouterr().out
    assert gc.get_freeze_count() == before
