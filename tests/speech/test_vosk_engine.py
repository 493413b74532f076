"""With a Vosk model installed, answers stream through Vosk: the model loads once in the
background, every utterance Vosk closes at a pause is kept, and a broken model folder
is reported by name instead of crashing. The small Korean model from PyPI stands in for
an English one here (it is spoken to in Korean, with espeak-ng's Korean voice)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from app.speech import audio
from app.speech.recognizer import chunks, transcribe_pcm
from app.speech.vosk_engine import VoskRecognizer, load_model
from app.speech.vosk_models import ModelLayoutError, check_model_dir, layout_problems

pytestmark = pytest.mark.slow

GREETING = "안녕하세요 저는 학생입니다"
WEATHER = "오늘은 날씨가 아주 좋습니다"
LUNCH = "점심에 김치찌개를 먹었습니다"


def linked_copy(model: Path, dest: Path, skip: tuple[str, ...] = ()) -> Path:
    """A model folder whose files are symlinks to ``model``'s: cheap to make and to break."""
    for src in model.rglob("*"):
        rel = src.relative_to(model)
        if src.is_file() and str(rel) not in skip:
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(src, dest / rel)
    return dest


def test_the_model_loads_once_in_the_background(korean_model: Path) -> None:
    first = load_model(korean_model)
    second = load_model(korean_model)

    assert first is second  # one load, shared by every recording
    model = first.result(timeout=120)
    assert type(model).__name__ == "Model"


def test_an_answer_streams_in_and_comes_back_as_timed_words(
    korean_model: Path, espeak_wav: Callable[..., Path]
) -> None:
    pcm = audio.load_pcm16k(espeak_wav(GREETING))
    recognizer = VoskRecognizer(korean_model)
    recognizer.start()
    captions = []
    for chunk in chunks(pcm, 3200):
        recognizer.accept(chunk)
        captions.append(recognizer.partial())
    transcript = recognizer.finish()

    assert transcript.engine == "vosk"
    assert any(captions), "a live caption appears while speaking"
    assert len(transcript.words) >= 2
    assert transcript.text == " ".join(w.word for w in transcript.words)
    assert transcript.duration_s == pytest.approx(audio.pcm_duration(pcm))
    for word in transcript.words:
        assert 0 <= word.start < word.end <= transcript.duration_s + 0.05
        assert word.conf is not None and 0 <= word.conf <= 1


def test_every_utterance_closed_at_a_pause_is_kept(
    korean_model: Path, espeak_wav: Callable[..., Path]
) -> None:
    pause = np.zeros(int(1.5 * audio.TARGET_RATE), dtype="<i2").tobytes()
    parts = [audio.load_pcm16k(espeak_wav(text)) for text in (GREETING, WEATHER, LUNCH)]
    pcm = pause.join(parts)
    bounds = []
    offset = 0.0
    for part in parts:
        bounds.append((offset, offset + audio.pcm_duration(part)))
        offset += audio.pcm_duration(part) + 1.5

    recognizer = VoskRecognizer(korean_model)
    transcript = transcribe_pcm(recognizer, pcm)

    assert recognizer.utterances >= 2  # Vosk closed utterances at the pauses itself
    for start, end in bounds:  # and none of them was dropped
        assert any(start - 0.3 <= w.start <= end + 0.3 for w in transcript.words), (start, end)


def test_a_broken_model_folder_is_named_with_what_is_missing(
    korean_model: Path, tmp_path: Path
) -> None:
    broken = linked_copy(korean_model, tmp_path / "my-model", skip=("am/final.mdl",))

    assert layout_problems(korean_model) == []
    with pytest.raises(ModelLayoutError, match=r"my-model.*am/final\.mdl"):
        check_model_dir(broken)
    with pytest.raises(ModelLayoutError, match=r"my-model.*am/final\.mdl"):
        VoskRecognizer(broken).start()  # the loader checks before Vosk can crash


def test_each_missing_part_is_reported(tmp_path: Path) -> None:
    empty = tmp_path / "half-unpacked"
    (empty / "ivector").mkdir(parents=True)
    problems = " ".join(layout_problems(empty))
    for part in ("am/final.mdl", "conf/mfcc.conf", "graph/HCLG.fst", "ivector/final.ie"):
        assert part in problems
    assert layout_problems(tmp_path / "nowhere") == ["the folder does not exist"]
