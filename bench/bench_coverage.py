"""Key-point coverage on the hand-labelled corpus: typed, spoken, how fast, how much memory.

``python -m bench.bench_coverage [--quick] [--figures-json PATH]``

The corpus is ``tests/data/scoring/answers.toml`` (``bench/scoring_corpus.py``): answers
to the role-play cards of the built-in deck and of a user's deck, each labelled with the
key points a fair judge credits and those it asserts the opposite of. The scorer's
thresholds were chosen on the "dev" split, so "holdout" is the honest figure. In one run,
in this order (the process is fresh, so memory and "cold" mean what they say):

1. typed text, phrases only (``score_answer(..., meaning=False)``): the baseline;
2. the sentence encoder loaded (``shared_encoder()``), every card compiled (``prepare``)
   and every answer scored as the app scores it, with the card's deck glossary. The
   latency of an answer is that of its first scoring (the encoder remembers the texts it
   has embedded, so a second scoring of the same text would be flattering); "cold", the
   first answer to a card, adds the card's ``prepare``. RSS before and after is the
   memory the meaning matcher adds; the phrase matcher's own added RSS is its baseline;
3. the phrase matcher timed again, with caches as warm as the meaning pass had them;
4. spoken: every answer (``--quick``: ``QUICK_ANSWERS`` of them, spread over the corpus)
   rendered by ``bench/speech_set.py`` in ``PER_ANSWER`` (voice, condition) pairs of its
   balanced ``plan`` over ``VOICE_NAMES`` x ``CONDITION_NAMES`` (cached in
   ``bench/out/speech-cache``), transcribed by the default engine (``choose_engine`` on
   an empty data dir: Whisper's built-in tiny.en) with the card's hints (key-point labels,
   alternatives, the deck's glossary terms), then scored with the deck's glossary. WER
   is ``speech_set.wer`` against the answer's text.

The figures' table has no "higher is better", so F1 and paraphrase coverage appear as
their shortfall: ``1 − F1 ≤ 0.15`` is ``F1 ≥ 0.85``.
"""

from __future__ import annotations

import dataclasses
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import speech_set
from bench.common import (
    OUT_DIR,
    Figure,
    load_1min,
    peak_rss_mb,
    percentile,
    rss_mb,
    standalone,
)
from bench.scoring_corpus import KINDS, LabelledAnswer, Tally, decks, evaluate, load, report

CACHE = OUT_DIR / "speech-cache"
PER_ANSWER = 2
QUICK_ANSWERS = 40
VOICE_NAMES = (
    "flite-rms",
    "flite-slt",
    "flite-awb",
    "espeak-en-us",
    "espeak-en-gb",
    "espeak-en-us-f3",
)
CONDITION_NAMES = ("clean", "noise", "fast", "reverb")
BUCKETS = (("<40 words", 0, 39), ("40–80 words", 40, 80), (">80 words", 81, 10**6))

F1_TEXT_MIN = 0.85
F1_SPOKEN_MIN = 0.75
PARAPHRASE_MIN = 0.8
WRONG_MAX = 0.15
OFFTOPIC_MAX = 0.05
LATENCY_BUDGET_MS = 50.0
MEMORY_BUDGET_MB = 200.0

Result = tuple[float, tuple[str, ...]]  # coverage, a verdict per key point
Tallies = dict[tuple[str, str], Tally]


# -- scoring the corpus ----------------------------------------------------------------
@dataclass
class Pass:
    """One scoring of every answer: results by (card, text), and seconds per answer."""

    results: dict[tuple[str, str], Result] = field(default_factory=dict)
    wall: list[float] = field(default_factory=list)  # per answer, in corpus order
    cpu: list[float] = field(default_factory=list)  # process CPU: every thread
    compile_s: dict[str, float] = field(default_factory=dict)  # per card: prepare()
    first_s: dict[str, float] = field(default_factory=dict)  # its first answer's scoring


def score_text(
    text: str, answer: LabelledAnswer, glossaries: dict[str, Any], meaning: bool, **timing: Any
) -> Result:
    from app.scoring import score_answer

    result = score_answer(
        text,
        answer.card.key_points,
        glossary=glossaries[answer.deck],
        meaning=meaning,
        context=answer.card.model_answer,
        **timing,
    )
    return result.coverage, tuple(k.verdict for k in result.key_points)


def score_corpus(
    answers: Sequence[LabelledAnswer], glossaries: dict[str, Any], meaning: bool, compile: bool
) -> Pass:
    """``compile``: ``prepare`` every card first (timed); else the cards are prepared."""
    from app.scoring import prepare

    done = Pass()
    if compile:
        for a in answers:
            if a.card.guid not in done.compile_s:
                start = time.perf_counter()
                prepare(
                    a.card.key_points,
                    glossaries[a.deck],
                    meaning=meaning,
                    context=a.card.model_answer,
                )
                done.compile_s[a.card.guid] = time.perf_counter() - start
    for a in answers:
        cpu, wall = time.process_time(), time.perf_counter()
        done.results[a.card.guid, a.text] = score_text(a.text, a, glossaries, meaning)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        done.wall.append(wall)
        done.cpu.append(cpu)
        done.first_s.setdefault(a.card.guid, wall)
    return done


def tallies_of(
    answers: Sequence[LabelledAnswer], results: dict[tuple[str, str], Result]
) -> Tallies:
    return evaluate(answers, lambda card, text: results[card.guid, text])


def pooled(tallies: Tallies, kind: str) -> Tally:
    """Both decks' tallies of one kind added up."""
    out = Tally()
    for deck in ("builtin", "user"):
        t = tallies.get((deck, kind))
        if t is None:
            continue
        for f in dataclasses.fields(Tally):
            setattr(out, f.name, getattr(out, f.name) + getattr(t, f.name))
    return out


def tally_json(tallies: Tallies) -> dict[str, dict[str, float]]:
    return {
        f"{deck}/{kind}": {
            "answers": t.answers,
            "coverage": round(t.mean_coverage, 4),
            "precision": round(t.precision, 4),
            "recall": round(t.recall, 4),
            "f1": round(t.f1, 4),
            "contradicted_found": t.contradicted_found,
            "contradicted_labelled": t.contradicted_labelled,
        }
        for (deck, kind), t in tallies.items()
    }


def ms(values: Sequence[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "median_ms": round(statistics.median(values) * 1000, 2),
        "p95_ms": round(percentile(values, 95) * 1000, 2),
        "max_ms": round(max(values) * 1000, 2),
    }


def measure_text(answers: Sequence[LabelledAnswer]) -> dict[str, Any]:
    from app.scoring import matching
    from app.scoring.semantic import shared_encoder

    glossaries = {name: d.glossary for name, d in decks().items()}
    out: dict[str, Any] = {"load_before": load_1min()}
    rss0, peak0 = rss_mb(), peak_rss_mb()
    print("… typed answers, phrases only", file=sys.stderr, flush=True)
    phrases = score_corpus(answers, glossaries, meaning=False, compile=True)
    rss_phrases = rss_mb()
    print("… loading the encoder", file=sys.stderr, flush=True)
    start = time.perf_counter()
    shared_encoder()
    out["encoder_load_s"] = round(time.perf_counter() - start, 2)
    rss_encoder = rss_mb()
    # The meaning pass compiles the cards' phrases too: start that cache empty as well.
    matching._compiled.cache_clear()
    print("… typed answers, meaning and phrases", file=sys.stderr, flush=True)
    meaning = score_corpus(answers, glossaries, meaning=True, compile=True)
    rss_after, peak_after = rss_mb(), peak_rss_mb()
    print("… phrases only again, warm", file=sys.stderr, flush=True)
    phrases_warm = score_corpus(answers, glossaries, meaning=False, compile=False)
    out["load_after"] = load_1min()
    out["memory"] = {
        "rss_before_mb": round(rss0, 1),
        "rss_after_phrases_mb": round(rss_phrases, 1),
        "rss_after_encoder_mb": round(rss_encoder, 1),
        "rss_after_scoring_mb": round(rss_after, 1),
        "added_mb": round(rss_after - rss0, 1),
        "added_by_phrases_mb": round(rss_phrases - rss0, 1),
        "peak_before_mb": round(peak0, 1),
        "peak_after_mb": round(peak_after, 1),
    }

    def cold(p: Pass) -> list[float]:
        return [p.compile_s[g] + p.first_s[g] for g in p.compile_s]

    out["latency"] = {
        "meaning": {"warm": ms(meaning.wall), "cpu": ms(meaning.cpu), "cold": ms(cold(meaning))},
        "phrases": {
            "warm": ms(phrases_warm.wall),
            "cpu": ms(phrases_warm.cpu),
            "cold": ms(cold(phrases)),
        },
        "buckets": {},
    }
    lengths = [len(a.text.split()) for a in answers]
    for label, low, high in BUCKETS:
        pick = [i for i, n in enumerate(lengths) if low <= n <= high]
        out["latency"]["buckets"][label] = {
            "meaning": ms([meaning.wall[i] for i in pick]),
            "phrases": ms([phrases_warm.wall[i] for i in pick]),
        }
    out["tallies"] = {}
    for split in ("dev", "holdout"):
        subset = [a for a in answers if a.split == split]
        out["tallies"][split] = {
            "meaning": tallies_of(subset, meaning.results),
            "phrases": tallies_of(subset, phrases.results),
        }
    return out


# -- spoken ----------------------------------------------------------------------------
def hints_for(answer: LabelledAnswer, glossary: Any) -> tuple[str, ...]:
    """What the app would bias the recogniser with: labels, alternatives, glossary."""
    words = [kp.label for kp in answer.card.key_points]
    words += [alt for kp in answer.card.key_points for alt in kp.alternatives]
    words += list(glossary.terms)
    return tuple(dict.fromkeys(words))


def spoken_subset(answers: Sequence[LabelledAnswer], quick: bool) -> list[int]:
    if not quick or len(answers) <= QUICK_ANSWERS:
        return list(range(len(answers)))
    return [i * len(answers) // QUICK_ANSWERS for i in range(QUICK_ANSWERS)]


def measure_spoken(answers: Sequence[LabelledAnswer], quick: bool) -> dict[str, Any]:
    from app.speech.audio import load_pcm16k
    from app.speech.engines import choose_engine
    from app.speech.recognizer import Hints, transcribe_pcm

    glossaries = {name: d.glossary for name, d in decks().items()}
    by_id = {
        f"cov{i:03d}-{answers[i].card.guid}": answers[i] for i in spoken_subset(answers, quick)
    }
    spoken = [speech_set.SpokenAnswer(key, a.text, (), ()) for key, a in by_id.items()]
    voices = [v for v in speech_set.VOICES if v.name in VOICE_NAMES]
    conditions = [c for c in speech_set.CONDITIONS if c.name in CONDITION_NAMES]
    items = speech_set.plan(spoken, voices, conditions, PER_ANSWER)
    print(f"… rendering {len(items)} clips", file=sys.stderr, flush=True)
    rendered = speech_set.render_all(items, CACHE)
    out: dict[str, Any] = {"load_before": load_1min(), "clips": []}
    heard: list[LabelledAnswer] = []
    results: dict[str, dict[tuple[str, str], Result]] = {"meaning": {}, "phrases": {}}
    with tempfile.TemporaryDirectory(prefix="parley-bench-coverage-") as data_dir:
        choice = choose_engine(Path(data_dir))
        out["engine"] = choice.to_json()
        start = time.perf_counter()
        choice.preload().result()
        out["engine_load_s"] = round(time.perf_counter() - start, 2)
        for n, clip in enumerate(rendered, 1):
            answer = by_id[clip.answer.id]
            glossary = glossaries[answer.deck]
            pcm = load_pcm16k(clip.path)
            start = time.perf_counter()
            recognizer = choice.recognizer(Hints(hints_for(answer, glossary)), live=False)
            transcript = transcribe_pcm(recognizer, pcm)
            seconds = time.perf_counter() - start
            text = transcript.text
            timing = {"words": transcript.words, "duration_s": transcript.duration_s}
            for key, meaning in (("meaning", True), ("phrases", False)):
                results[key][answer.card.guid, text] = score_text(
                    text, answer, glossaries, meaning, **timing
                )
            heard.append(dataclasses.replace(answer, text=text))
            out["clips"].append(
                {
                    "id": clip.answer.id,
                    "voice": clip.voice.name,
                    "engine": clip.voice.engine,
                    "condition": clip.condition.name,
                    "audio_s": round(clip.duration_s, 2),
                    "seconds": round(seconds, 2),
                    "wer": speech_set.wer(answer.text, text),
                    "coverage": results["meaning"][answer.card.guid, text][0],
                    "text": text,
                }
            )
            if n % 25 == 0 or n == len(rendered):
                print(f"  {n}/{len(rendered)} clips transcribed", file=sys.stderr, flush=True)
    out["load_after"] = load_1min()
    out["answers"] = len(by_id)
    out["tallies"] = {key: tallies_of(heard, r) for key, r in results.items()}
    clips = out["clips"]
    out["wer"] = statistics.fmean(c["wer"] for c in clips)
    groups: dict[str, list[float]] = defaultdict(list)
    for c in clips:
        groups[c["condition"]].append(c["wer"])
        groups[c["engine"]].append(c["wer"])
    out["wer_by"] = {k: statistics.fmean(v) for k, v in groups.items()}
    out["rtf"] = sum(c["seconds"] for c in clips) / sum(c["audio_s"] for c in clips)
    return out


# -- figures and report ----------------------------------------------------------------
def figures(text: dict[str, Any], spoken: dict[str, Any]) -> list[Figure]:
    holdout = text["tallies"]["holdout"]
    hold_m, hold_p = holdout["meaning"], holdout["phrases"]
    out: list[Figure] = []
    phrases = "phrases only"  # every figure here is measured against phrase matching

    def shortfall(t: Tally | None) -> float:
        return 1.0 - (t.f1 if t is not None else 0.0)

    for deck in ("builtin", "user"):
        out.append(
            Figure(
                "coverage",
                f"1 − key-point F1, {deck} deck, typed, holdout (F1 ≥ {F1_TEXT_MIN})",
                shortfall(hold_m.get((deck, "all"))),
                "",
                budget=round(1 - F1_TEXT_MIN, 4),
                baseline=shortfall(hold_p.get((deck, "all"))),
                baseline_name=phrases,
            )
        )
    if spoken:
        sm, sp = spoken["tallies"]["meaning"], spoken["tallies"]["phrases"]
        out.append(
            Figure(
                "coverage",
                f"1 − key-point F1, spoken ({len(spoken['clips'])} clips, Whisper), "
                f"both decks (F1 ≥ {F1_SPOKEN_MIN})",
                shortfall(pooled(sm, "all")),
                "",
                budget=round(1 - F1_SPOKEN_MIN, 4),
                baseline=shortfall(pooled(sp, "all")),
                baseline_name=phrases,
            )
        )
    out.append(
        Figure(
            "coverage",
            f"1 − mean coverage, paraphrase answers, holdout (≥ {PARAPHRASE_MIN})",
            1 - pooled(hold_m, "paraphrase").mean_coverage,
            "",
            budget=round(1 - PARAPHRASE_MIN, 4),
            baseline=1 - pooled(hold_p, "paraphrase").mean_coverage,
            baseline_name=phrases,
        )
    )
    for kind, label, budget in (
        ("wrong", "wrong (claims turned around)", WRONG_MAX),
        ("offtopic", "off-topic", OFFTOPIC_MAX),
    ):
        out.append(
            Figure(
                "coverage",
                f"mean coverage, {label} answers, holdout",
                pooled(hold_m, kind).mean_coverage,
                "",
                budget=budget,
                baseline=pooled(hold_p, kind).mean_coverage,
                baseline_name=phrases,
            )
        )
    lat = text["latency"]
    for which, key in (("median", "median_ms"), ("p95", "p95_ms")):
        out.append(
            Figure(
                "coverage",
                f"scoring latency per answer, card prepared, {which}",
                lat["meaning"]["warm"][key],
                "ms",
                budget=LATENCY_BUDGET_MS,
                baseline=lat["phrases"]["warm"][key],
                cpu=lat["meaning"]["cpu"][key],
                baseline_name=phrases,
            )
        )
    for which, key in (("median", "median_ms"), ("p95", "p95_ms")):
        out.append(
            Figure(
                "coverage",
                f"first answer to a card (prepare + score), {which}",
                lat["meaning"]["cold"][key],
                "ms",
                baseline=lat["phrases"]["cold"][key],
                baseline_name=phrases,
            )
        )
    memory = text["memory"]
    out.append(
        Figure(
            "coverage",
            "added RSS: encoder loaded, corpus scored",
            memory["added_mb"],
            "MiB",
            budget=MEMORY_BUDGET_MB,
            baseline=memory["added_by_phrases_mb"],
            baseline_name=phrases,
        )
    )
    if spoken:
        out.append(
            Figure(
                "coverage",
                "mean WER of the spoken answers' transcripts",
                spoken["wer"] * 100,
                "%",
            )
        )
    return out


def render_report(text: dict[str, Any], spoken: dict[str, Any]) -> str:
    t = text["tallies"]
    n = {s: sum(v.answers for (_, k), v in t[s]["meaning"].items() if k == "all") for s in t}
    parts = [
        "Key-point coverage on tests/data/scoring/answers.toml (thresholds chosen on dev;",
        "holdout is the honest figure). P/R/F1 count 'met' and 'partly' as credited;",
        "contra = key points labelled contradicted that got the verdict 'contradicted'.",
        "",
        f"Typed text, dev ({n['dev']} answers):",
        report(t["dev"]["meaning"]),
        "",
        f"Typed text, holdout ({n['holdout']} answers):",
        report(t["holdout"]["meaning"]),
        "",
        "Baseline, phrases only (meaning=False), dev:",
        report(t["dev"]["phrases"]),
        "",
        "Baseline, phrases only (meaning=False), holdout:",
        report(t["holdout"]["phrases"]),
    ]
    if spoken:
        wer_by = spoken["wer_by"]
        by = ", ".join(
            f"{k} {wer_by[k] * 100:.1f}%"
            for k in (*CONDITION_NAMES, "flite", "espeak")
            if k in wer_by
        )
        parts += [
            "",
            f"Spoken, all splits: {spoken['answers']} answers × {PER_ANSWER} renderings = "
            f"{len(spoken['clips'])} clips, {spoken['engine']['label']} "
            f"({spoken['engine']['model_source']} model, RTF {spoken['rtf']:.3f}); "
            f"mean WER {spoken['wer'] * 100:.1f}% ({by}):",
            report(spoken["tallies"]["meaning"]),
            "",
            "Spoken, phrases only on the same transcripts:",
            report(spoken["tallies"]["phrases"]),
        ]
    lat, mem = text["latency"], text["memory"]
    rows = [f"{'answers':<12} {'n':>4} {'meaning ms':>11} {'p95':>7} {'phrases ms':>11}"]
    for label, b in lat["buckets"].items():
        m, p = b["meaning"], b["phrases"]
        if m["n"]:
            rows.append(
                f"{label:<12} {m['n']:>4} {m['median_ms']:>11.1f} {m['p95_ms']:>7.1f}"
                f" {p['median_ms']:>11.2f}"
            )
    mw, mc = lat["meaning"]["warm"], lat["meaning"]["cold"]
    parts += [
        "",
        f"Scoring latency, card prepared: median {mw['median_ms']:.1f} ms, p95 "
        f"{mw['p95_ms']:.1f} ms, max {mw['max_ms']:.1f} ms over {mw['n']} answers; first answer "
        f"to a card (prepare + score): median {mc['median_ms']:.0f} ms, p95 {mc['p95_ms']:.0f} ms "
        f"over {mc['n']} cards. Load average {text['load_before']} → {text['load_after']} "
        "(2 cores: above ~1, others are busy too).",
        *rows,
        "",
        f"Memory (RSS): {mem['rss_before_mb']:.0f} MiB before, "
        f"{mem['rss_after_phrases_mb']:.0f} after phrases only, "
        f"{mem['rss_after_encoder_mb']:.0f} with the encoder loaded "
        f"({text['encoder_load_s']} s), {mem['rss_after_scoring_mb']:.0f} after scoring the "
        f"corpus: +{mem['added_mb']:.0f} MiB (peak {mem['peak_before_mb']:.0f} → "
        f"{mem['peak_after_mb']:.0f}).",
    ]
    return "\n".join(parts)


def run(quick: bool = False) -> list[Figure]:
    answers = load()
    text = measure_text(answers)
    spoken = measure_spoken(answers, quick)
    found = figures(text, spoken)
    found[0].detail["report"] = render_report(text, spoken)
    found[0].detail["data"] = {
        "text": {
            **{k: v for k, v in text.items() if k != "tallies"},
            "tallies": {
                split: {key: tally_json(tl) for key, tl in by.items()}
                for split, by in text["tallies"].items()
            },
        },
        "spoken": {
            **{k: v for k, v in spoken.items() if k != "tallies"},
            "tallies": {key: tally_json(tl) for key, tl in spoken["tallies"].items()},
        },
        "kinds": list(KINDS),
        "quick": quick,
    }
    return found


def report_of(found: list[Figure]) -> str:
    return next((f.detail["report"] for f in found if f.detail.get("report")), "")


if __name__ == "__main__":
    standalone(run, report_of)
