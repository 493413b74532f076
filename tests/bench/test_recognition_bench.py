"""The recognition and latency benches' scoring and material (no timing here)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from bench import bench_latency, speech_set
from bench.bench_recognition import clip_id, summarise, term_recall
from bench.common import bench_engines


def test_term_recall_normalises_terms_like_wer() -> None:
    terms = ["RAG", "fine-tuning", "LLM"]
    assert term_recall(terms, "We use rag, then fine tuning the l l m.") == (3, 3)
    assert term_recall(terms, "We use rack, then find tuning the model.") == (0, 3)
    # In order and adjacent: "tuning fine" is not "fine-tuning".
    assert term_recall(["fine-tuning"], "tuning, fine") == (0, 1)
    assert term_recall([], "anything") == (0, 0)


def _rendered(answer: speech_set.SpokenAnswer, voice: str, condition: str) -> speech_set.Rendered:
    v = next(x for x in speech_set.VOICES if x.name == voice)
    c = next(x for x in speech_set.CONDITIONS if x.name == condition)
    return speech_set.Rendered(answer, v, c, Path("unused.wav"), 5.0)


def test_summarise_groups_wer_by_condition_and_voice_family() -> None:
    answer = speech_set.SpokenAnswer(
        "x1", "so um retrieval keeps answers current", ("um",), ("retrieval",)
    )
    perfect = _rendered(answer, "flite-rms", "clean")
    half = _rendered(answer, "espeak-en-us", "noise")
    clips = [
        {
            "id": clip_id(perfect),
            "hints": True,
            "text": "so um retrieval keeps answers current",
            "seconds": 0.5,
            "cpu_s": 0.8,
            "audio_s": 5.0,
        },
        {
            "id": clip_id(half),
            "hints": True,
            "text": "so keeps answers",
            "seconds": 1.5,
            "cpu_s": 2.0,
            "audio_s": 5.0,
        },
    ]
    out = summarise([perfect, half], clips, hinted=True)
    assert out["wer"]["clean"] == 0.0 and out["wer"]["flite"] == 0.0
    assert out["wer"]["noise"] == pytest.approx(0.4)  # 2 of 5 words ("um" is not one)
    assert out["wer"]["all"] == pytest.approx(0.2)
    assert out["filler_recall"] == 0.5 and out["term_recall"] == 0.5
    assert out["rtf"] == pytest.approx(0.2)
    assert summarise([perfect, half], clips, hinted=False) == {}


def test_engines_come_from_the_registry_with_whisper_built_in_first() -> None:
    from app.speech.engines import ENGINE_NAMES

    engines = bench_engines()
    assert [e.name for e in engines] == [n for n in ENGINE_NAMES if n in {e.name for e in engines}]
    assert engines and engines[0].name == "whisper" and engines[0].english
    for engine in engines:
        assert engine.english or "stand-in" in engine.label


def test_long_answer_is_a_minute_of_speech_with_natural_pauses(tmp_path: Path) -> None:
    for tool in ("flite", "sox"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    from app.speech.audio import load_pcm16k

    wav, text = bench_latency.long_answer(tmp_path)
    samples = np.frombuffer(load_pcm16k(wav), dtype="<i2")
    assert abs(len(samples) / 16000 - 60) <= 3
    assert len(text.split()) > 100
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > 300)
    assert loud[-1] == len(samples) - 1  # it ends with the last word, not with silence
    gaps_s = np.diff(loud) / 16000
    # Between answers, pauses of 0.5-1.5 s; no silence anywhere is longer.
    assert gaps_s.max() <= bench_latency.PAUSES_S[1] + 0.01
    assert (gaps_s >= bench_latency.PAUSES_S[0]).sum() >= 5  # ~8 s answers: 6 or more joins
