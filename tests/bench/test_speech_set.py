"""The speech evaluation set: its answers file, WER and filler scoring, plan, rendering."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
import soundfile as sf

from bench import speech_set
from bench.speech_set import (
    CONDITIONS,
    VOICES,
    Voice,
    filler_recall,
    load_answers,
    plan,
    render,
    wer,
)

FILLER = re.compile(r"\b(um|uh|you know|i mean|like)\b")


def test_answers_file_has_enough_varied_answers_with_honest_labels() -> None:
    answers = load_answers()
    assert len(answers) >= 48
    assert len({a.id for a in answers}) == len(answers)
    for a in answers:
        assert 12 <= len(a.text.split()) <= 60, a.id
        # The labels are the ground truth for filler recall: exactly the fillers spoken.
        assert list(a.fillers) == FILLER.findall(a.text.lower()), a.id
        for term in a.terms:
            assert term.lower() in a.text.lower(), (a.id, term)
    assert sum(1 for a in answers if a.fillers) >= 12


def test_wer_of_identical_text_is_zero() -> None:
    text = "Retrieval keeps the answers current without retraining the model."
    assert wer(text, text) == 0.0


def test_hyphenated_and_split_words_are_the_same_word() -> None:
    assert wer("We chose fine-tuning.", "we chose fine tuning") == 0.0


def test_one_dropped_word_in_ten_is_a_wer_of_a_tenth() -> None:
    reference = "the vector database finds the closest chunks in a millisecond"
    assert wer(reference, reference.replace(" closest", "")) == pytest.approx(0.1)


def test_hesitations_are_ignored_by_wer() -> None:
    assert wer("So, um, start with RAG, uh, first.", "so start with rag first") == 0.0
    assert wer("so start with rag first", "so erm start with rag hmm first") == 0.0


def test_number_words_digits_contractions_and_spelled_acronyms_compare_equal() -> None:
    assert wer("about two thousand examples", "about 2000 examples") == 0.0
    assert wer("twelve hundred and five dollars", "1,205 dollars") == 0.0
    assert wer("five times faster, it's ninety five percent", "5 times faster it is 95%") == 0.0
    assert wer("The LLM can't call the API", "the l l m cannot call the a p i") == 0.0


def test_filler_recall_counts_each_class_up_to_what_was_said() -> None:
    expected = ["um", "uh", "you know", "i mean"]
    # Any hesitation spelling counts as one; "you know" heard twice still counts once.
    assert filler_recall(expected, "umm so er you know it works you know") == (3, 4)
    assert filler_recall(expected, "so it works") == (0, 4)
    assert filler_recall([], "um uh") == (0, 0)


def test_plan_is_balanced_covers_every_pair_and_is_deterministic() -> None:
    answers = load_answers()
    items = plan(answers, VOICES, CONDITIONS, per_answer=3)
    assert items == plan(answers, VOICES, CONDITIONS, per_answer=3)
    assert items != plan(answers, VOICES, CONDITIONS, per_answer=3, seed=1)
    assert len(items) == 3 * len(answers)
    per_voice = Counter(v for _, v, _ in items)
    per_condition = Counter(c for _, _, c in items)
    assert set(per_voice) == set(VOICES) and set(per_condition) == set(CONDITIONS)
    assert max(per_voice.values()) - min(per_voice.values()) <= 1
    assert max(per_condition.values()) - min(per_condition.values()) <= 1
    assert {(v, c) for _, v, c in items} == {(v, c) for v in VOICES for c in CONDITIONS}
    for answer in answers:
        mine = [(v, c) for a, v, c in items if a == answer]
        assert len({v for v, _ in mine}) == len({c for _, c in mine}) == 3, answer.id


def _need(*tools: str) -> None:
    for tool in tools:
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (scripts/dev setup installs it)")


def test_every_flite_voice_is_built_in() -> None:
    # flite silently falls back to its default voice for an unknown name.
    _need("flite")
    listed = subprocess.run(["flite", "-lv"], capture_output=True, text=True, check=True).stdout
    for voice in VOICES:
        if voice.engine == "flite":
            assert voice.voice in listed.split(), voice.name


def test_every_espeak_voice_and_variant_exists() -> None:
    # espeak-ng also falls back silently for some names ("no-such" is read as Norwegian).
    _need("espeak-ng")

    def column(args: list[str], index: int) -> set[str]:
        out = subprocess.run(["espeak-ng", *args], capture_output=True, text=True, check=True)
        return {line.split()[index] for line in out.stdout.splitlines()[1:] if line.strip()}

    languages, variants = column(["--voices"], 1), column(["--voices=variant"], 4)
    for voice in VOICES:
        if voice.engine == "espeak":
            language, _, variant = voice.voice.partition("+")
            assert language in languages, voice.name
            assert not variant or f"!v/{variant}" in variants, voice.name


@pytest.mark.parametrize("voice_name", ["flite-slt", "espeak-en-sc"])
def test_render_noise_gives_16k_mono_clip_of_plausible_length_then_uses_cache(
    voice_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _need("flite", "espeak-ng", "sox")
    answer = min(load_answers(), key=lambda a: len(a.text))
    voice = next(v for v in VOICES if v.name == voice_name)
    noise = next(c for c in CONDITIONS if c.name == "noise")
    path = render(answer, voice, noise, tmp_path)
    info = sf.info(path)
    assert (info.samplerate, info.channels, info.subtype) == (16000, 1, "PCM_16")
    words = len(answer.text.split())
    assert words / 5 < info.duration < words / 1.2  # 1.2-5 words a second
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no work files left

    mtime = path.stat().st_mtime_ns

    def no_run(cmd: list[str]) -> None:
        raise AssertionError(f"cached clip was re-rendered: {cmd}")

    monkeypatch.setattr(speech_set, "_run", no_run)
    assert render(answer, voice, noise, tmp_path) == path
    assert path.stat().st_mtime_ns == mtime


def test_failed_synthesis_names_the_command(tmp_path: Path) -> None:
    _need("espeak-ng")
    answer = load_answers()[0]
    bogus = Voice("espeak-nowhere", "espeak", "nosuch")
    with pytest.raises(RuntimeError, match="espeak-ng -v nosuch"):
        render(answer, bogus, CONDITIONS[0], tmp_path)
    assert not list(tmp_path.glob("*.wav"))
