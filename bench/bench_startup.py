"""Cold start: from starting the process to the home window shown, and on to its decks.

Each sample runs ``python -m app gui --quit-after-start --report-startup --data-dir DIR``
(offscreen). The app prints a line when the home window is shown (the budgeted figure:
the window is up and usable while the collection opens on the DB worker) and another when
the home page lists the decks; the bench times both from the moment it started the
process, then lets it quit. Two cases: a data dir
that already holds a collection (the everyday start) and a fresh one (first start:
migrations and seeding the built-in deck). The baseline is a process that shows a bare
QMainWindow and quits the same way, timed in the same run, in alternation with the app
so a busy machine slows both alike.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import Figure, Stats, bench_env, standalone, time_process


def time_milestones(cmd: list[str], env: dict[str, str]) -> dict[str, float]:
    """Seconds from starting ``cmd`` to each ``startup NAME`` line it prints."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen: dict[str, float] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("startup "):
            seen[line.split()[1]] = time.perf_counter() - start
    _, errors = proc.communicate(timeout=120)
    if proc.returncode != 0 or "window-shown" not in seen or "decks-shown" not in seen:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {errors[-1500:]}")
    return seen


BUDGET_S = 1.0
RATIO_BUDGET = 3.0

BARE_WINDOW = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.show()
QTimer.singleShot(0, window.close)
sys.exit(app.exec())
"""


def app_command(data_dir: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "app",
        "gui",
        "--quit-after-start",
        "--report-startup",
        "--data-dir",
        str(data_dir),
    ]


def run(quick: bool = False) -> list[Figure]:
    runs = 3 if quick else 5
    env = bench_env()
    bare_cmd = [sys.executable, "-c", BARE_WINDOW]
    with tempfile.TemporaryDirectory(prefix="parley-bench-start-") as tmp:
        root = Path(tmp)
        existing = root / "existing"
        # Warm the OS file cache (and create the collection) so the first sample is not
        # the only one paying for reading .pyc files from disk.
        time_process(app_command(existing), env)
        time_process(bare_cmd, env)
        bare: list[tuple[float, float]] = []
        warm: list[dict[str, float]] = []
        fresh: list[dict[str, float]] = []
        for i in range(runs):
            bare.append(time_process(bare_cmd, env))
            warm.append(time_milestones(app_command(existing), env))
            fresh.append(time_milestones(app_command(root / f"fresh-{i}"), env))
    base = _stats(bare).median
    figures = []
    for name, samples, milestone, budget in (
        ("cold start to home window shown, existing data dir", warm, "window-shown", BUDGET_S),
        ("cold start to home window shown, fresh data dir", fresh, "window-shown", BUDGET_S),
        ("cold start to decks listed, existing data dir", warm, "decks-shown", None),
        ("cold start to decks listed, fresh data dir", fresh, "decks-shown", None),
    ):
        times = [sample[milestone] for sample in samples]
        stats = Stats(tuple(times), tuple(times))
        figures.append(
            Figure(
                bench="startup",
                name=name,
                value=stats.median,
                unit="s",
                budget=budget,
                baseline=base,
                baseline_name="bare QMainWindow",
                ratio_budget=RATIO_BUDGET if budget is not None else None,
                cpu=None,
                detail={
                    "runs": runs,
                    "samples_s": [round(t, 3) for t in times],
                    "baseline_samples_s": [round(w, 3) for w, _ in bare],
                },
            )
        )
    return figures


def _stats(samples: list[tuple[float, float]]) -> Stats:
    return Stats(tuple(w for w, _ in samples), tuple(c for _, c in samples))


if __name__ == "__main__":
    standalone(run)
