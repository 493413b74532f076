"""From the command line: transcribe a recording, score an answer to a role-play card
(spoken or typed), and manage Vosk models; stdout stays clean JSON with --json."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.cli.main import main
from app.core import services
from app.core.attempts import recording_of
from app.core.store import Store
from app.model.deckdata import CardData, DeckData, KeyPoint
from app.model.paths import recordings_dir
from app.speech.vosk_models import MODEL_ENV

from transcripts import heard

ANSWER = (
    "Retrieval augmented generation searches your documents for each question and passes "
    "the relevant passages to the model as context. It works without retraining, and you "
    "can cite the sources."
)


@pytest.fixture(autouse=True)
def _only_this_tests_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MODEL_ENV, raising=False)


@pytest.fixture
def rag_card(store: Store) -> int:
    """A role-play card about RAG, with its key points written here."""
    deck = DeckData(
        name="Speech CLI",
        cards=[
            CardData(
                guid="rag-explain",
                kind="roleplay",
                question="Why would we use retrieval instead of fine-tuning?",
                model_answer=ANSWER,
                key_points=[
                    KeyPoint("Retrieves relevant documents", ["searches your documents"]),
                    KeyPoint("Passes them as context", ["to the model as context"]),
                    KeyPoint("No retraining needed", ["without retraining"]),
                    KeyPoint("Cites its sources", ["cite the sources"]),
                ],
            )
        ],
    )
    with store.session() as s:
        services.import_deck(s, deck)
        return services.list_cards(s, "Speech CLI")[0].id


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    code, out, err = run(capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.mark.slow
def test_transcribe_prints_the_text_or_timed_words(
    capsys: pytest.CaptureFixture[str], data_dir: Path, flite_wav: Callable[..., Path]
) -> None:
    wav = str(flite_wav("Retrieval keeps answers current without retraining.", "slt"))

    code, text, hint = run(capsys, "transcribe", wav)
    result = run_json(capsys, "transcribe", wav)

    assert code == 0 and hint == ""
    assert {"current", "without", "retraining"} <= heard(text)
    assert result["engine"] == "whisper"  # no configuration: the built-in tiny.en
    assert result["text"] == text.strip()
    assert set(result["words"][0]) == {"word", "start", "end", "conf"}
    starts = [w["start"] for w in result["words"]]
    assert starts == sorted(starts) and result["words"][-1]["end"] <= result["duration_s"]
    assert result["duration_s"] == pytest.approx(3.3, abs=1.0)


@pytest.mark.slow
def test_transcribe_with_a_chosen_vosk_model(
    capsys: pytest.CaptureFixture[str],
    data_dir: Path,
    korean_model: Path,
    espeak_wav: Callable[..., Path],
) -> None:
    wav = str(espeak_wav("안녕하세요 저는 학생입니다"))
    result = run_json(
        capsys, "transcribe", wav, "--engine", "vosk", "--vosk-model", str(korean_model)
    )
    assert result["engine"] == "vosk"
    assert result["words"] and result["words"][0]["end"] > result["words"][0]["start"]


def test_a_bad_file_gets_one_clear_line(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    bogus = tmp_path / "answer.wav"
    bogus.write_text("not audio")
    code, out, err = run(capsys, "transcribe", str(bogus))
    assert code == 1 and out == ""
    assert err.startswith("parley: ") and "answer.wav" in err and "Traceback" not in err


def test_a_typed_answer_is_scored_and_saved(
    capsys: pytest.CaptureFixture[str], store: Store, rag_card: int
) -> None:
    result = run_json(capsys, "score", str(rag_card), "--text", ANSWER)

    assert result["card_id"] == rag_card
    assert result["engine"] == "typed"
    assert result["transcript"] == ANSWER
    assert result["coverage"] == 1.0
    assert [kp["met"] for kp in result["key_points"]] == [True] * 4
    assert {"duration_s", "wpm", "fillers", "long_pauses", "hedges"} <= set(result["delivery"])
    assert 1 <= result["suggested_rating"] <= 4
    with store.session() as s:
        (attempt,) = services.attempts_for_card(s, rag_card)
        assert attempt.id == result["attempt_id"]
        assert attempt.engine == "typed" and attempt.audio_path is None


@pytest.mark.slow
def test_a_spoken_answer_is_transcribed_scored_and_its_recording_kept(
    capsys: pytest.CaptureFixture[str],
    store: Store,
    rag_card: int,
    data_dir: Path,
    flite_wav: Callable[..., Path],
) -> None:
    wav = flite_wav(ANSWER, "slt")

    result = run_json(capsys, "score", str(rag_card), "--wav", str(wav))

    assert result["engine"] == "whisper"
    assert result["coverage"] >= 0.75, result["transcript"]
    assert result["delivery"]["wpm"] > 100
    with store.session() as s:
        (attempt,) = services.attempts_for_card(s, rag_card)
        assert attempt.audio_path is not None
        assert not Path(attempt.audio_path).is_absolute()  # the data folder can move
        saved = recording_of(s, attempt)
    assert saved is not None and saved.parent == recordings_dir(data_dir)
    assert saved.read_bytes() == wav.read_bytes()
    assert attempt.duration_s == pytest.approx(result["delivery"]["duration_s"], abs=0.5)


def test_no_save_leaves_no_attempt(
    capsys: pytest.CaptureFixture[str], store: Store, rag_card: int
) -> None:
    result = run_json(capsys, "score", str(rag_card), "--text", "I am not sure.", "--no-save")
    assert result["attempt_id"] is None and result["coverage"] == 0.0
    with store.session() as s:
        assert services.attempts_for_card(s, rag_card) == []


def test_an_unknown_card_is_reported_before_any_work(
    capsys: pytest.CaptureFixture[str], store: Store
) -> None:
    code, out, err = run(capsys, "score", "999999", "--wav", "/nonexistent.wav")
    assert code == 1 and out == ""
    assert "999999" in err


def test_models_install_and_list(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "vosk-model-small-en-us-0.15.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name in ("am/final.mdl", "conf/mfcc.conf", "graph/HCLG.fst"):
            zf.writestr(f"vosk-model-small-en-us-0.15/{name}", b"x" * 1000)

    before = run_json(capsys, "models", "list")
    installed = run_json(capsys, "models", "install", str(archive))
    listed = run_json(capsys, "models", "list")
    code, table, _ = run(capsys, "models", "list")

    assert [(m["engine"], m["source"]) for m in before] == [("whisper", "built in")]
    assert installed["name"] == "vosk-model-small-en-us-0.15" and installed["engine"] == "vosk"
    assert installed["language"] == "en" and installed["valid"]
    vosk = [m for m in listed if m["engine"] == "vosk"]
    assert [m["name"] for m in vosk] == ["vosk-model-small-en-us-0.15"]
    assert vosk[0]["size_bytes"] == 3000 and vosk[0]["source"] == "data dir"
    assert code == 0 and "vosk-model-small-en-us-0.15" in table and " en " in table
    code, _, err = run(capsys, "models", "install", str(archive))
    assert code == 1 and "already installed" in err
