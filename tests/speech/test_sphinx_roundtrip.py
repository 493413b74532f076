"""Straight after install, with no model downloaded, a spoken answer is transcribed by the
embedded PocketSphinx and scored against the card's key points."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from app.core.deckdata import KeyPoint
from app.scoring import score_answer
from app.speech import audio
from app.speech.recognizer import Transcript, chunks, transcribe_pcm
from app.speech.sphinx_engine import SphinxRecognizer

pytestmark = pytest.mark.slow

# flite's clearest voice for PocketSphinx's US English model (measured: kal16 ≈ 0.2
# word error rate on these sentences, rms/slt ≈ 0.4).
VOICE = "kal16"
SENTENCES = [
    "Retrieval augmented generation searches your documents first and passes the "
    "relevant passages to the model as context.",
    "We store the documents in a vector database and retrieve the closest chunks for "
    "each question.",
    "Retrieval keeps answers current without retraining, and you can cite the sources.",
]
RAG_KEY_POINTS = [
    KeyPoint(
        "Retrieves relevant documents for each question",
        ["retrieve relevant documents", "searches your documents", "search the documents"],
    ),
    KeyPoint("Passes them to the model as context", ["to the model as context", "in the prompt"]),
    KeyPoint("No retraining needed", ["without retraining", "no retraining"]),
    KeyPoint("Answers can cite their sources", ["cite the sources", "cite sources"]),
]
MODEL_ANSWER = (
    "Retrieval augmented generation searches your documents for each question and passes "
    "the relevant passages to the model as context. It works without retraining, and you "
    "can cite the sources."
)
UNRELATED_ANSWER = "The weather was lovely so we went to the beach and ate ice cream."


def word_error_rate(reference: str, hypothesis: str) -> float:
    ref = re.findall(r"[a-z']+", reference.lower())
    hyp = re.findall(r"[a-z']+", hypothesis.lower())
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        diagonal, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diagonal + (r != h))
    return row[-1] / len(ref)


def transcribe(path: Path) -> Transcript:
    return transcribe_pcm(SphinxRecognizer(), audio.load_pcm16k(path))


def test_the_word_error_rate_helper_counts_edits() -> None:
    assert word_error_rate("the cat sat", "the cat sat") == 0
    assert word_error_rate("the cat sat", "the bat sat down") == pytest.approx(2 / 3)


def test_clearly_spoken_answers_are_transcribed_with_few_errors(
    flite_wav: Callable[..., Path],
) -> None:
    rates = []
    for sentence in SENTENCES:
        transcript = transcribe(flite_wav(sentence, VOICE))
        rates.append(word_error_rate(sentence, transcript.text))
        assert transcript.engine == "pocketsphinx"
        assert transcript.words, sentence
        starts = [w.start for w in transcript.words]
        assert starts == sorted(starts)
        assert all(0 <= w.start < w.end <= transcript.duration_s + 0.05 for w in transcript.words)
        assert all(w.conf is not None and 0 <= w.conf <= 1 for w in transcript.words)
        assert not any(re.search(r"[<\[(]", w.word) for w in transcript.words)
    assert sum(rates) / len(rates) < 0.35, rates


def test_a_model_answer_scores_high_and_an_unrelated_one_low(
    flite_wav: Callable[..., Path],
) -> None:
    good = transcribe(flite_wav(MODEL_ANSWER, VOICE))
    bad = transcribe(flite_wav(UNRELATED_ANSWER, VOICE))

    good_score = score_answer(good.text, RAG_KEY_POINTS, good.words, good.duration_s)
    bad_score = score_answer(bad.text, RAG_KEY_POINTS, bad.words, bad.duration_s)

    assert good_score.coverage >= 0.75, good.text
    assert bad_score.coverage <= 0.25, bad.text
    assert good_score.suggested_rating > bad_score.suggested_rating
    wpm = good_score.delivery.wpm
    assert wpm is not None and 100 < wpm < 250


def test_a_44k_stereo_float_recording_is_understood_as_well(
    flite_wav: Callable[..., Path], tmp_path: Path
) -> None:
    original = flite_wav(SENTENCES[1], VOICE)
    converted = tmp_path / "studio.wav"
    subprocess.run(
        ["sox", str(original), "-r", "44100", "-c", "2", "-e", "floating-point", "-b", "32",
         str(converted)],
        check=True,
    )  # fmt: skip

    baseline = word_error_rate(SENTENCES[1], transcribe(original).text)
    studio = word_error_rate(SENTENCES[1], transcribe(converted).text)

    assert studio <= baseline + 0.15


def test_the_live_caption_grows_while_the_answer_is_spoken(
    flite_wav: Callable[..., Path],
) -> None:
    pcm = audio.load_pcm16k(flite_wav(SENTENCES[0], VOICE))
    recognizer = SphinxRecognizer()
    recognizer.start()
    captions = []
    for chunk in chunks(pcm):
        recognizer.accept(chunk)
        captions.append(recognizer.partial())
    final = recognizer.finish()

    assert captions[0] == ""  # nothing heard yet in the first quarter second
    assert len(set(captions)) > 3
    assert "documents" in captions[-1]
    assert final.duration_s == pytest.approx(audio.pcm_duration(pcm))
    with pytest.raises(RuntimeError):
        recognizer.accept(pcm[:100])  # one recogniser per recording
