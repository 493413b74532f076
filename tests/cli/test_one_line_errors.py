"""The regression list of issue 13 for the command line: every failure is one line on
stderr naming the thing and the problem, a non-zero exit, and nothing written or lost."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.main import main
from app.core.settings import MAX_SETTINGS_BYTES, Settings

PARLEY = [sys.executable, "-m", "app"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    """The whole of stderr, asserted to be one line without a traceback."""
    assert "Traceback" not in err, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


def files_in(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` with its bytes (None for folders and links)."""
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): p.read_bytes() if p.is_file() and not p.is_symlink() else None
        for p in sorted(folder.rglob("*"))
    }


# --- settings.json (fault 9) -------------------------------------------------------


HOSTILE_SETTINGS = {
    "nested": ("[" * 50_000 + "]" * 50_000)[: MAX_SETTINGS_BYTES - 2],
    "huge-file": '{"theme": "' + "x" * MAX_SETTINGS_BYTES + '"}',
    "huge-integer": '{"new_per_day": 1' + "0" * 5000 + "}",
    "not-json": "{nope",
    "not-utf8": b'{"theme": "\xff"}'.decode("latin-1"),
    "a-list": "[1, 2]",
}


@pytest.mark.parametrize("content", HOSTILE_SETTINGS.values(), ids=HOSTILE_SETTINGS.keys())
def test_a_hostile_settings_file_gives_the_defaults_and_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, content: str
) -> None:
    (tmp_path / "settings.json").write_bytes(content.encode("latin-1"))
    with caplog.at_level(logging.WARNING):
        assert Settings.load(tmp_path) == Settings()
        assert Settings.load(tmp_path) == Settings()  # warned about once, not per load
    [record] = caplog.records
    assert "settings.json" in record.getMessage() and "default" in record.getMessage()
    assert (tmp_path / "settings.json").read_bytes() == content.encode("latin-1")


def test_out_of_range_settings_are_clamped_and_bad_values_ignored(tmp_path: Path) -> None:
    (tmp_path / "settings.json").write_text(
        json.dumps(
            {
                "new_per_day": 10**30,
                "reviews_per_day": -(10**30),
                "tts_rate": 3,
                "engine": "pocketsphinx",
                "theme": "dark",
                "input_device": "x" * 10_000,
            }
        )
        .replace('"tts_rate": 3', '"tts_rate": 3, "end_silence_s": NaN')
        .replace("}", ', "hands_free": 1e999}')
    )
    settings = Settings.load(tmp_path)
    assert (settings.new_per_day, settings.reviews_per_day, settings.tts_rate) == (9999, 0, 80)
    assert settings.end_silence_s == Settings().end_silence_s  # NaN: the default
    assert settings.engine == "auto" and settings.theme == "dark"
    assert settings.input_device == "" and settings.hands_free is False
    (tmp_path / "settings.json").write_text('{"end_silence_s": 1e999}')
    assert Settings.load(tmp_path).end_silence_s == 15.0


def test_a_deeply_nested_settings_file_does_not_stop_a_command(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.json").write_text("[" * 20_000 + "]" * 20_000)
    done = subprocess.run(
        [*PARLEY, "models", "list", "--json", "--data-dir", str(data)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PARLEY_DATA_DIR": str(data)},
    )
    assert done.returncode == 0, done.stderr
    assert isinstance(json.loads(done.stdout), list)
    line = one_line(done.stderr)
    assert str(data / "settings.json") in line and "nested too deeply" in line
