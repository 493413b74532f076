"""Cold start: from starting the process to the home window showing its decks.

Each sample is the wall time of ``python -m app gui --quit-after-start --data-dir DIR``
(offscreen), which exits once the home page has its decks, so it covers interpreter
start, imports, the window, opening the collection and quitting. Two cases: a data dir
that already holds a collection (the everyday start) and a fresh one (first start:
migrations and seeding the built-in deck). The baseline is a process that shows a bare
QMainWindow and quits the same way, timed in the same run, in alternation with the app
so a busy machine slows both alike.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from bench.common import Figure, Stats, bench_env, standalone, time_process

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
        bare, warm, fresh = [], [], []
        for i in range(runs):
            bare.append(time_process(bare_cmd, env))
            warm.append(time_process(app_command(existing), env))
            fresh.append(time_process(app_command(root / f"fresh-{i}"), env))
    base = _stats(bare).median
    figures = []
    for name, samples in (
        ("cold start, existing data dir", warm),
        ("cold start, fresh data dir", fresh),
    ):
        stats = _stats(samples)
        figures.append(
            Figure(
                bench="startup",
                name=name,
                value=stats.median,
                unit="s",
                budget=BUDGET_S,
                baseline=base,
                baseline_name="bare QMainWindow",
                ratio_budget=RATIO_BUDGET,
                cpu=stats.cpu_median,
                detail={
                    "runs": runs,
                    "samples_s": [round(w, 3) for w, _ in samples],
                    "cpu_samples_s": [round(c, 3) for _, c in samples],
                    "baseline_samples_s": [round(w, 3) for w, _ in bare],
                    "baseline_cpu_median_s": round(_stats(bare).cpu_median or 0, 3),
                },
            )
        )
    return figures


def _stats(samples: list[tuple[float, float]]) -> Stats:
    return Stats(tuple(w for w, _ in samples), tuple(c for _, c in samples))


if __name__ == "__main__":
    standalone(run)
