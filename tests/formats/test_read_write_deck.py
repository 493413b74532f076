"""A user opens or saves a deck file of any kind through one entry point."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.formats import detect_format, read_deck, write_deck
from app.formats.zipsafe import SQLITE_MAGIC
from app.model.deckdata import CardData, DeckData
from app.model.errors import DeckFormatError

from anki_packages import AnkiPackages

DECK = DeckData(
    name="Ports",
    cards=[CardData(guid="p1", kind="flashcard", front="HTTPS", back="443", tags=["web"])],
)


@pytest.mark.parametrize(
    ("suffix", "fmt"),
    [
        (".toml", "native"),
        (".json", "json"),
        (".csv", "csv"),
        (".tsv", "csv"),
        (".txt", "csv"),
        (".apkg", "apkg"),
    ],
)
def test_each_format_is_written_and_read_back_through_the_entry_points(
    tmp_path: Path, suffix: str, fmt: str
) -> None:
    path = tmp_path / f"ports{suffix}"
    write_deck(DECK, path)

    assert detect_format(path) == fmt
    again = read_deck(path)
    assert again.name == "Ports"
    assert again.cards == DECK.cards


def test_an_anki_package_is_recognised_by_its_content_whatever_its_name(
    tmp_path: Path, anki_packages: AnkiPackages
) -> None:
    renamed = tmp_path / "download.bin"
    shutil.copy(anki_packages.current, renamed)

    assert detect_format(renamed) == "apkg"
    assert read_deck(renamed).name == "Networking"


def test_a_json_deck_without_the_json_extension_is_recognised(tmp_path: Path) -> None:
    path = tmp_path / "deck.export"
    write_deck(DECK, tmp_path / "deck.json")
    (tmp_path / "deck.json").rename(path)

    assert detect_format(path) == "json"
    assert read_deck(path).cards == DECK.cards


def test_a_bare_anki_collection_gets_advice(tmp_path: Path) -> None:
    path = tmp_path / "collection.anki2"
    path.write_bytes(SQLITE_MAGIC + bytes(100))

    with pytest.raises(DeckFormatError, match=r"collection\.anki2: is a bare SQLite.*Export"):
        read_deck(path)


def test_an_unknown_binary_is_described(tmp_path: Path) -> None:
    path = tmp_path / "song"
    path.write_bytes(b"ID3\x04\x00\xff\xfe" + bytes(50))

    with pytest.raises(DeckFormatError, match=r"song: is not a deck file .* an MP3 file"):
        read_deck(path)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "gone.toml"

    with pytest.raises(DeckFormatError, match=r"gone\.toml: cannot be read"):
        read_deck(path)


def test_the_format_can_be_forced_when_writing(tmp_path: Path) -> None:
    path = tmp_path / "odd-name.dat"
    write_deck(DECK, path, fmt="apkg")

    assert detect_format(path) == "apkg"


def test_an_unknown_write_format_is_a_programming_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown deck format 'docx'"):
        write_deck(DECK, tmp_path / "x.docx", fmt="docx")


def test_media_are_staged_under_safe_names_in_the_callers_folder(
    tmp_path: Path,
) -> None:
    sound = tmp_path / "src.mp3"
    sound.write_bytes(b"ID3 data")
    deck = DeckData(
        name="Sounds",
        cards=[
            CardData(
                guid="s1",
                kind="flashcard",
                front="Listen",
                back="Heard",
                media=["très long nom (1).mp3"],
            )
        ],
        media_files={"très long nom (1).mp3": sound},
    )
    package = tmp_path / "sounds.apkg"
    write_deck(deck, package)
    staging = tmp_path / "staging"

    again = read_deck(package, staging_dir=staging)

    staged = again.media_files["très long nom (1).mp3"]
    assert staged.parent == staging
    assert staged.name == "media-00001.mp3"
    assert staged.read_bytes() == b"ID3 data"


def test_native_media_can_go_beside_the_final_file_when_writing_to_a_temporary_one(
    tmp_path: Path,
) -> None:
    sound = tmp_path / "src.mp3"
    sound.write_bytes(b"ID3")
    deck = DeckData(
        name="Sounds",
        cards=[CardData(guid="s1", kind="flashcard", front="Hear", back="it", media=["a.mp3"])],
        media_files={"a.mp3": sound},
    )
    final = tmp_path / "out" / "sounds.toml"
    final.parent.mkdir()
    temporary = final.with_name(".sounds.toml.tmp123.toml")

    write_deck(deck, temporary, media_dir=final.with_name("sounds.media"))
    temporary.rename(final)

    assert read_deck(final).media_files["a.mp3"].read_bytes() == b"ID3"
