"""Which engine listens: Vosk when an English model is around, PocketSphinx otherwise,
with a sentence that tells the user how to get a Vosk model."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from app.core.errors import KnownError
from app.core.settings import Settings
from app.speech.engines import choose_engine, choose_from_settings
from app.speech.sphinx_engine import SphinxRecognizer
from app.speech.vosk_engine import VoskRecognizer
from app.speech.vosk_models import MODEL_ENV, candidates, declare_language, guess_language


@pytest.fixture(autouse=True)
def _no_model_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MODEL_ENV, raising=False)


def linked_copy(model: Path, dest: Path) -> Path:
    for src in model.rglob("*"):
        if src.is_file():
            target = dest / src.relative_to(model)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(src, target)
    return dest


def test_a_fresh_install_uses_pocketsphinx_and_says_how_to_get_vosk(data_dir: Path) -> None:
    choice = choose_engine(data_dir)

    assert choice.engine == "pocketsphinx"
    assert isinstance(choice.recognizer(), SphinxRecognizer)
    assert "No Vosk model was found" in choice.message
    assert "parley models install" in choice.message
    assert "alphacephei.com/vosk/models" in choice.message


def test_a_korean_model_is_never_the_default_english_engine(
    data_dir: Path, korean_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    linked_copy(korean_model, data_dir / "models" / "vosk-model-small-ko-0.22")
    monkeypatch.setenv(MODEL_ENV, str(korean_model))

    auto = choose_engine(data_dir)
    forced = choose_engine(data_dir, "vosk")
    explicit = choose_engine(data_dir, "vosk", korean_model)

    assert auto.engine == "pocketsphinx"
    assert "not an English model (ko" in auto.message
    assert forced.engine == "vosk" and forced.model is not None
    assert explicit.engine == "vosk" and explicit.model is not None
    assert explicit.model.path == korean_model.resolve()
    assert isinstance(explicit.recognizer(), VoskRecognizer)
    assert "language: ko" in explicit.message


def test_an_english_model_in_the_data_dir_makes_vosk_the_default(
    data_dir: Path, korean_model: Path
) -> None:
    # Stands in for vosk-model-small-en-us-0.15: the folder name is what says English.
    english = linked_copy(korean_model, data_dir / "models" / "vosk-model-small-en-us-0.15")

    choice = choose_engine(data_dir)

    assert choice.engine == "vosk"
    assert choice.model is not None and choice.model.path == english
    assert choice.model.source == "data dir"


def test_the_user_can_declare_a_model_english(data_dir: Path, korean_model: Path) -> None:
    mine = linked_copy(korean_model, data_dir / "models" / "my-model")
    assert choose_engine(data_dir).engine == "pocketsphinx"

    declare_language(mine, "en-US")

    assert guess_language(mine) == "en"
    assert choose_engine(data_dir).engine == "vosk"


def test_the_setting_comes_first_then_the_environment(
    data_dir: Path, korean_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from_setting = linked_copy(korean_model, tmp_path / "setting" / "vosk-model-en-us-0.22")
    from_env = linked_copy(korean_model, tmp_path / "env" / "vosk-model-en-us-0.21")
    linked_copy(korean_model, data_dir / "models" / "vosk-model-small-en-us-0.15")
    monkeypatch.setenv(MODEL_ENV, str(from_env))

    assert choose_engine(data_dir).model.path == from_env  # type: ignore[union-attr]
    Settings(vosk_model=str(from_setting)).save(data_dir)
    chosen = choose_from_settings(data_dir)
    assert chosen.model is not None and chosen.model.path == from_setting
    assert [m.source for m in candidates(data_dir, from_setting)][:3] == [
        "setting",
        "env",
        "data dir",
    ]
    Settings(engine="pocketsphinx", vosk_model=str(from_setting)).save(data_dir)
    assert choose_from_settings(data_dir).engine == "pocketsphinx"
    assert choose_from_settings(data_dir, engine="vosk").engine == "vosk"  # option wins


def test_a_model_bundled_with_the_frozen_app_is_found(
    data_dir: Path, korean_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = tmp_path / "_MEI12345"
    linked_copy(korean_model, bundle / "models" / "vosk-model-small-en-us-0.15")
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)

    choice = choose_engine(data_dir)

    assert choice.engine == "vosk"
    assert choice.model is not None and choice.model.source == "bundled"


def test_a_broken_model_is_explained_not_used(data_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "vosk-model-small-en-us-0.15"
    (broken / "conf").mkdir(parents=True)
    (broken / "conf" / "mfcc.conf").write_text("--use-energy=false\n")

    auto = choose_engine(data_dir, vosk_model=broken)

    assert auto.engine == "pocketsphinx"
    assert f"{broken} is incomplete" in auto.message
    with pytest.raises(KnownError, match=r"vosk-model-small-en-us-0\.15.*am/final\.mdl"):
        choose_engine(data_dir, "vosk", broken)
    with pytest.raises(KnownError, match="No Vosk model was found"):
        choose_engine(data_dir, "vosk")
    with pytest.raises(KnownError, match="Unknown engine 'whisper'"):
        choose_engine(data_dir, "whisper")


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
