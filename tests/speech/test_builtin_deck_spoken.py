"""The built-in deck's model answers, spoken by a synthetic voice and transcribed by the
embedded engine, still meet most of their key points: scoring survives real ASR errors."""

from __future__ import annotations

import shutil
import subprocess
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from app.core.seed import builtin_deck_path
from app.formats.native import read_native

pytestmark = pytest.mark.slow


def spoken_coverage(job: tuple[str, str, list[tuple[str, list[str]]], str]) -> tuple[str, float]:
    """Synthesise, transcribe and score one answer (runs in a worker process)."""
    from app.core.deckdata import KeyPoint
    from app.scoring import score_answer
    from app.speech.audio import load_pcm16k
    from app.speech.recognizer import transcribe_pcm
    from app.speech.sphinx_engine import SphinxRecognizer

    guid, text, points, folder = job
    wav = Path(folder) / f"{guid}.wav"
    subprocess.run(["flite", "-voice", "rms", "-t", text, "-o", str(wav)], check=True)
    transcript = transcribe_pcm(SphinxRecognizer(), load_pcm16k(wav))
    result = score_answer(
        transcript.text,
        [KeyPoint(label, alts) for label, alts in points],
        words=transcript.words,
        duration_s=transcript.duration_s,
    )
    return guid, result.coverage


def test_every_model_answer_spoken_by_flite_rms_averages_at_least_70_percent(
    tmp_path: Path,
) -> None:
    if shutil.which("flite") is None:
        pytest.skip("flite is not installed (apt install flite)")
    deck = read_native(builtin_deck_path("rag-vs-fine-tuning"))
    jobs = [
        (c.guid, c.model_answer, [(k.label, k.alternatives) for k in c.key_points], str(tmp_path))
        for c in deck.cards
        if c.kind == "roleplay"
    ]
    with ProcessPoolExecutor(max_workers=2) as pool:
        coverage = dict(pool.map(spoken_coverage, jobs))
    average = sum(coverage.values()) / len(coverage)
    print(f"average spoken coverage {average:.3f} over {len(coverage)} answers: {coverage}")
    assert len(coverage) == len(jobs) >= 12
    assert average >= 0.7, coverage
