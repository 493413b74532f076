"""``python -m bench [NAME ...] [--quick] [--json]``: run the benchmarks, print one table.

Every bench runs in a fresh process (Qt, PulseAudio and peak memory never leak from one
into the next) and reports figures next to their budgets and the baseline it measured
in the same run. ``--json`` also writes ``bench/out/results.json`` with the machine
description and every figure's detail (samples, query plans, ...). NAME is one or more
of the keys of ``BENCHES`` below (all of them by default).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import (
    OUT_DIR,
    REPO,
    Figure,
    bench_env,
    figure_from_json,
    machine,
    report_path,
    table,
    write_json,
)

# name -> module in bench/; the order is the order of the table.
BENCHES = {
    "startup": "bench_startup",
    "latency": "bench_latency",
    "rtf": "bench_rtf",
    "recognition": "bench_recognition",
    "responsiveness": "bench_responsiveness",
    "scoring": "bench_scoring",
    "coverage": "bench_coverage",
    "db": "bench_db",
    "import": "bench_import",
    "memory": "bench_memory",
}
# Written by others with their own command line; adapted below.
FOREIGN = {"import"}
TIMEOUT_S = 900
# Benches that play or transcribe many minutes of speech take longer.
TIMEOUTS_S = {"latency": 1800, "recognition": 3600, "coverage": 3600}
IMPORT_RATIO_BUDGET = 1.5  # first import, as processes (issue 15)
REIMPORT_RATIO_BUDGET = 2.0


def run_ours(name: str, quick: bool) -> tuple[list[Figure], str]:
    """The bench's figures, and the text it printed after its table (may be empty)."""
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as tmp:
        out = Path(tmp) / "figures.json"
        cmd = [sys.executable, "-m", f"bench.{BENCHES[name]}", "--figures-json", str(out)]
        done = _run(cmd + (["--quick"] if quick else []), TIMEOUTS_S.get(name, TIMEOUT_S))
        if not out.exists():
            raise RuntimeError(_failure(done))
        report = report_path(out)
        text = report.read_text(encoding="utf-8").strip() if report.exists() else ""
        return [figure_from_json(f) for f in json.loads(out.read_text())], text


def run_import(quick: bool) -> list[Figure]:
    cmd = [sys.executable, "-m", "bench.bench_import", "--json"]
    if quick:
        cmd += ["--notes", "2000"]
    results = _json_output(_run(cmd))
    notes = results.get("notes")
    anki = results["anki_import_seconds"]
    figures = []
    if "parley_import_seconds" in results:
        figures.append(
            Figure(
                "import",
                f"{notes:,}-note .apkg, Parley's whole import",
                results["parley_import_seconds"],
                "s",
                baseline=anki,
                baseline_name="anki's own import",
                ratio_budget=IMPORT_RATIO_BUDGET,
                detail=results,
            )
        )
    if "parley_reimport_seconds" in results:
        figures.append(
            Figure(
                "import",
                f"{notes:,}-note .apkg, re-import with nothing changed",
                results["parley_reimport_seconds"],
                "s",
                baseline=results["anki_reimport_seconds"],
                baseline_name="anki's own re-import",
                ratio_budget=REIMPORT_RATIO_BUDGET,
                detail=results,
            )
        )
    figures.append(
        Figure(
            "import",
            f"{notes:,}-note .apkg, reading it (read_apkg)",
            results["parley_read_seconds"],
            "s",
            baseline=anki,
            baseline_name="anki's own import",
            ratio_budget=None if figures else IMPORT_RATIO_BUDGET,
            detail=results,
        )
    )
    return figures


def _run(cmd: list[str], timeout: float = TIMEOUT_S) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cmd, cwd=REPO, env=bench_env(), capture_output=True, text=True, timeout=timeout
    )


def _json_output(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    if done.returncode != 0:
        raise RuntimeError(_failure(done))
    text = done.stdout
    start = text.find("{")
    if start < 0:
        raise RuntimeError(f"no JSON in the output: {text[-500:]}")
    output: dict[str, Any] = json.loads(text[start:])
    return output


def _failure(done: subprocess.CompletedProcess[str]) -> str:
    tail = (done.stderr or done.stdout).strip().splitlines()[-6:]
    return f"exit {done.returncode}: " + " / ".join(tail)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help=", ".join(BENCHES))
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run)")
    parser.add_argument("--json", action="store_true", help=f"write {OUT_DIR}/results.json")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHES]
    if unknown:
        parser.error(f"unknown bench {', '.join(unknown)}; choose from {', '.join(BENCHES)}")
    names = args.names or list(BENCHES)
    started = datetime.now(UTC)
    print(json.dumps(machine()), flush=True)
    figures: list[Figure] = []
    reports: dict[str, str] = {}
    problems: dict[str, str] = {}
    durations: dict[str, float] = {}
    for name in names:
        print(f"… {name}", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        try:
            if name == "import":
                got = run_import(args.quick)
            else:
                got, reports[name] = run_ours(name, args.quick)
        except (RuntimeError, ValueError, KeyError, subprocess.TimeoutExpired) as err:
            problems[name] = str(err)
            got = []
        durations[name] = round(time.perf_counter() - t0, 1)
        figures += got
        print(f"  {name}: {len(got)} figures in {durations[name]} s", file=sys.stderr)
    print()
    print(table(figures))
    for name, text in reports.items():
        if text:
            print(f"\n{name}:\n\n{text}")
    for name, problem in problems.items():
        print(f"\n{name}: not measured: {problem}")
    missed = [f for f in figures if f.met is False]
    print(f"\n{len(figures)} figures, {len(missed)} over budget, {len(problems)} benches failed")
    if args.json:
        path = write_json(
            OUT_DIR / "results.json",
            {
                "started": started.isoformat(),
                "finished": datetime.now(UTC).isoformat(),
                "machine": machine(),
                "quick": args.quick,
                "durations_s": durations,
                "figures": [f.to_json() for f in figures],
                "reports": {name: text for name, text in reports.items() if text},
                "not_measured": problems,
            },
        )
        print(f"wrote {path}")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
