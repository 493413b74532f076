"""Media travel with their cards: into the data dir on import, out again on export."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from app.cli.main import main

DECK = """format = "parley-deck"
version = 1

[deck]
name = "Sounds"

[[cards]]
id = "s1"
kind = "flashcard"
front = "Say it"
back = "Like this"
media = ["hello.wav"]
"""


def test_a_card_sound_is_imported_and_exported_with_the_deck(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in" / "sounds.toml"
    (source.parent / "sounds.media").mkdir(parents=True)
    source.write_text(DECK, encoding="utf-8")
    sound = b"RIFF....WAVEfake"
    (source.parent / "sounds.media" / "hello.wav").write_bytes(sound)

    assert main(["import", str(source), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["media"] == 1
    assert (data_dir / "media" / "hello.wav").read_bytes() == sound

    out = tmp_path / "out"
    out.mkdir()
    assert main(["export", "--deck", "Sounds", "-o", str(out / "copy.toml")]) == 0
    assert (out / "copy.media" / "hello.wav").read_bytes() == sound
    assert not list(out.glob(".copy*"))  # nothing left from the temporary file

    assert main(["export", "--deck", "Sounds", "-o", str(out / "copy.apkg")]) == 0
    with zipfile.ZipFile(out / "copy.apkg") as package:
        media_map = json.loads(package.read("media"))
        assert media_map and sound in {package.read(n) for n in media_map}
