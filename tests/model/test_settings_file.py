"""A user edits settings.json by hand, or an older Parley wrote it: whatever it holds,
Parley starts, each value it cannot use is reset (or clamped) with a line that says which
and to what, and the file is left as the user wrote it."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, get_args

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.model.settings import (
    ENGINE_CHOICES,
    RANGES,
    THEMES,
    EngineName,
    Settings,
    ThemeName,
    read_settings,
)


def write(folder: Path, values: dict[str, Any]) -> str:
    text = json.dumps(values)
    (folder / "settings.json").write_text(text, encoding="utf-8")
    return text


def test_an_unknown_engine_and_theme_reset_with_one_line_each_naming_the_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    text = write(tmp_path, {"engine": "pocketsphinx", "theme": "solarized", "tts_rate": 200})
    with caplog.at_level(logging.WARNING):
        read = read_settings(tmp_path)
    assert read.settings.engine == "auto" and read.settings.theme == "system"
    assert read.settings.tts_rate == 200  # the good value next to them is kept
    assert read.problems == (
        'engine "pocketsphinx" is not one of auto, whisper, vosk; using "auto"',
        'theme "solarized" is not one of system, light, dark; using "system"',
    )
    path = tmp_path / "settings.json"
    assert [r.getMessage() for r in caplog.records] == [
        f"parley: {path}: {problem}." for problem in read.problems
    ]
    assert read.message().startswith(f"{path}: engine ")
    assert path.read_text(encoding="utf-8") == text


def test_limits_out_of_range_are_clamped_and_say_so(tmp_path: Path) -> None:
    write(tmp_path, {"new_per_day": 1_000_000, "reviews_per_day": -5, "end_silence_s": 0.2})
    read = read_settings(tmp_path)
    assert (read.settings.new_per_day, read.settings.reviews_per_day) == (9999, 0)
    assert read.settings.end_silence_s == 1.0
    assert read.problems == (  # in the order the settings are declared
        "end_silence_s 0.2 is outside 1 to 15; using 1.0",
        "new_per_day 1000000 is outside 0 to 9999; using 9999",
        "reviews_per_day -5 is outside 0 to 99999; using 0",
    )


def test_a_value_of_the_wrong_kind_gets_the_default_and_names_what_was_expected(
    tmp_path: Path,
) -> None:
    write(tmp_path, {"new_per_day": "ten", "hands_free": "yes", "removed_builtin_decks": [1, "a"]})
    read = read_settings(tmp_path)
    assert read.settings.new_per_day == Settings().new_per_day
    assert read.settings.hands_free is False
    assert read.settings.removed_builtin_decks == ["a"]
    assert read.problems == (
        'hands_free should be true or false, not "yes"; using false',
        'new_per_day should be a whole number, not "ten"; using 20',
        "removed_builtin_decks: 1 entries that are not text left out",
    )


def test_a_file_parley_wrote_itself_reads_back_without_a_word(tmp_path: Path) -> None:
    chosen = Settings(engine="vosk", theme="dark", new_per_day=5, end_silence_s=2.5)
    chosen.save(tmp_path)
    read = read_settings(tmp_path)
    assert read.settings == chosen and read.problems == () and read.message() == ""


def test_no_file_at_all_is_the_defaults_and_nothing_to_say(tmp_path: Path) -> None:
    read = read_settings(tmp_path)
    assert read.settings == Settings() and read.problems == ()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=5,
)
setting_names = st.sampled_from([name for name in Settings.__dataclass_fields__])


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.dictionaries(setting_names | st.text(max_size=8), json_values, max_size=8))
def test_whatever_the_file_holds_every_setting_loads_as_its_declared_kind(
    tmp_path: Path, raw: dict[str, Any]
) -> None:
    (tmp_path / "settings.json").write_text(json.dumps(raw), encoding="utf-8")
    loaded = read_settings(tmp_path).settings
    defaults = Settings()
    for name in Settings.__dataclass_fields__:
        assert type(getattr(loaded, name)) is type(getattr(defaults, name)), name
    assert loaded.engine in ENGINE_CHOICES and loaded.theme in THEMES
    for name, (low, high) in RANGES.items():
        assert low <= getattr(loaded, name) <= high, name
    assert all(isinstance(d, str) for d in loaded.removed_builtin_decks)


def test_the_literal_types_and_the_choices_are_the_same_names() -> None:
    assert ENGINE_CHOICES == get_args(EngineName) == ("auto", "whisper", "vosk")
    assert THEMES == get_args(ThemeName) == ("system", "light", "dark")
