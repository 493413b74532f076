"""A user picks a broken or hostile file: Parley refuses it with a message that names the
file and, where it applies, the line or entry — and writes nothing outside its staging
folder. The corpus is generated here at test time; no binaries are committed."""

from __future__ import annotations

import base64
import io
import json
import os
import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import zstandard

from app.formats import read_deck, zipsafe
from app.formats.apkg_write import write_apkg
from app.model.deckdata import CardData, DeckData
from app.model.errors import DeckFormatError

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)
THIRTY_MB = 30 * 1024 * 1024


def small_deck(front: str = "What is DNS?", media: list[str] | None = None) -> DeckData:
    return DeckData(
        name="Small",
        cards=[
            CardData(
                guid="g1",
                kind="flashcard",
                front=front,
                back="Names to addresses",
                media=media or [],
            )
        ],
    )


def package_bytes(tmp: Path, deck: DeckData | None = None) -> bytes:
    path = tmp / "source.apkg"
    write_apkg(deck or small_deck(), path)
    return path.read_bytes()


def collection_bytes(tmp: Path) -> bytes:
    with zipfile.ZipFile(io.BytesIO(package_bytes(tmp))) as z:
        return z.read("collection.anki2")


def zip_of(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


# Each builder returns the file's name, its bytes, and what the message must contain.
Case = tuple[str, bytes, list[str]]


def empty_package(tmp: Path) -> Case:
    return "empty.apkg", b"", ["is empty"]


def empty_csv(tmp: Path) -> Case:
    return "empty.csv", b"", ["is empty"]


def empty_toml(tmp: Path) -> Case:
    return "empty.toml", b"\n\n", ["is empty"]


def truncated_package(tmp: Path) -> Case:
    data = package_bytes(tmp)
    return "truncated.apkg", data[: len(data) // 2], ["damaged or truncated"]


def corrupted_member(tmp: Path) -> Case:
    data = bytearray(zip_of({"collection.anki2": collection_bytes(tmp)}, zipfile.ZIP_STORED))
    middle = len(data) // 2
    data[middle : middle + 64] = b"\xab" * 64
    return "corrupt.apkg", bytes(data), ["damaged or truncated", "member 'collection.anki2'"]


def renamed_png(tmp: Path) -> Case:
    return "holiday.apkg", PNG, ["not a zip package", "PNG image"]


def renamed_sqlite(tmp: Path) -> Case:
    return "collection.apkg", collection_bytes(tmp), ["bare SQLite database"]


def zip_bomb_by_ratio(tmp: Path) -> Case:
    data = zip_of({"collection.anki2": bytes(40 * 1024 * 1024)})
    return "bomb.apkg", data, ["zip bomb", "collection.anki2"]


def zip_bomb_by_declared_size(tmp: Path) -> Case:
    data = bytearray(zip_of({"collection.anki2": collection_bytes(tmp)}))
    # Claim 3.75 GiB uncompressed in both the local and the central header.
    huge = (0xF000_0000).to_bytes(4, "little")
    local = data.find(b"PK\x03\x04")
    data[local + 22 : local + 26] = huge
    central = data.find(b"PK\x01\x02")
    data[central + 24 : central + 28] = huge
    return "claims.apkg", bytes(data), ["claims to unpack to", "limit"]


def traversal_member(tmp: Path) -> Case:
    data = zip_of({"collection.anki2": collection_bytes(tmp), "../../evil.sh": b"rm -rf"})
    return "traversal.apkg", data, ["'../../evil.sh'", "'..'", "zip member"]


def absolute_member(tmp: Path) -> Case:
    data = zip_of({"collection.anki2": collection_bytes(tmp), "/etc/cron.d/x": b"*"})
    return "absolute.apkg", data, ["'/etc/cron.d/x'", "absolute path"]


def backslash_member(tmp: Path) -> Case:
    data = zip_of({"collection.anki2": collection_bytes(tmp), "..\\evil.dll": b"MZ"})
    return "backslash.apkg", data, ["backslash"]


def traversal_media_name(tmp: Path) -> Case:
    deck = small_deck(media=["../../.bashrc"])
    with zipfile.ZipFile(io.BytesIO(package_bytes(tmp, deck))) as z:
        collection = z.read("collection.anki2")
    data = zip_of(
        {"collection.anki2": collection, "media": b'{"0": "../../.bashrc"}', "0": b"echo owned"}
    )
    return "media-escape.apkg", data, ["media entry 0", "leave the media folder"]


def no_collection(tmp: Path) -> Case:
    return "no-collection.apkg", zip_of({"media": b"{}", "0": b"x"}), ["no Anki collection inside"]


def not_sqlite_inside(tmp: Path) -> Case:
    data = zip_of({"collection.anki2": b"Definitely not a database\n" * 10})
    return "text-inside.apkg", data, ["member 'collection.anki2'", "not an SQLite database"]


def sqlite_but_not_anki(tmp: Path) -> Case:
    db = tmp / "other.sqlite"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE photos (id integer)")
    conn.commit()
    conn.close()
    data = zip_of({"collection.anki21": db.read_bytes()})
    return "photos.apkg", data, ["not an Anki collection", "'col'"]


def current_format_not_compressed(tmp: Path) -> Case:
    data = zip_of({"collection.anki21b": collection_bytes(tmp)})
    return "plain21b.apkg", data, ["member 'collection.anki21b'", "not zstd-compressed"]


def placeholder_collection_only(tmp: Path) -> Case:
    notice = "Please update to the latest Anki version, then import the .colpkg/.apkg file again."
    return "placeholder.apkg", package_bytes(tmp, small_deck(front=notice)), ["newer Anki"]


def broken_media_list(tmp: Path) -> Case:
    deck = small_deck(media=["a.mp3"])
    with zipfile.ZipFile(io.BytesIO(package_bytes(tmp, deck))) as z:
        collection = z.read("collection.anki2")
    data = zip_of({"collection.anki2": collection, "media": b"{not json", "0": b"ID3"})
    return "media-json.apkg", data, ["member 'media'", "media list"]


def thirty_mb_field_in_a_package(tmp: Path) -> Case:
    db = tmp / "collection.anki2"
    db.write_bytes(collection_bytes(tmp))
    conn = sqlite3.connect(db)
    # Random text, so that the package is not also refused as a zip bomb.
    field = base64.b64encode(os.urandom(THIRTY_MB * 3 // 4)).decode()
    conn.execute("UPDATE notes SET flds = ? || char(31) || 'back'", (field,))
    (note_id,) = conn.execute("SELECT id FROM notes").fetchone()
    conn.commit()
    conn.close()
    data = zip_of({"collection.anki2": db.read_bytes()}, zipfile.ZIP_STORED)
    return "huge-note.apkg", data, [f"note {note_id}", "larger than the 1 MiB limit"]


def bad_utf8_csv(tmp: Path) -> Case:
    text = "Front,Back\nHello,World\nCaf\xe9,Coffee\n".encode("latin-1")
    return "latin1.csv", text, ["line 3", "not UTF-8"]


def png_named_csv(tmp: Path) -> Case:
    return "picture.csv", PNG, ["line 1", "not UTF-8"]


def ragged_csv(tmp: Path) -> Case:
    text = "front\tback\nOne\t1\nTwo\t2\textra\nThree\t3\n"
    return "ragged.tsv", text.encode(), ["line 3", "has 3 columns where the file has 2"]


def empty_front_csv(tmp: Path) -> Case:
    return "blank-front.csv", b"Front,Back\n,lonely answer\n", ["empty front (line 2)"]


def duplicate_guid_csv(tmp: Path) -> Case:
    text = "#guid column:1\nid1\tA\ta\nid1\tB\tb\n"
    return "dupes.tsv", text.encode(), ["line 3", "already used on line 2"]


def one_column_csv(tmp: Path) -> Case:
    return "list.csv", b"alpha\nbeta\ngamma\n", ["only one column"]


def headers_only_csv(tmp: Path) -> Case:
    return "headers.txt", b"#separator:tab\n#html:false\n", ["no cards"]


def thirty_mb_field_csv(tmp: Path) -> Case:
    data = b"Front,Back\nsmall,card\n" + b"big," + b"y" * THIRTY_MB + b"\n"
    return "huge.csv", data, ["line 3", "larger than the 1 MiB limit"]


def bad_utf8_toml(tmp: Path) -> Case:
    data = b'format = "parley-deck"\nversion = 1\n[deck]\nname = "\xff"\n'
    return "binary.toml", data, ["line 4", "not UTF-8"]


def broken_toml(tmp: Path) -> Case:
    data = b'format = "parley-deck"\nversion = 1\n[deck\nname = "x"\n'
    return "broken.toml", data, ["line 3", "not valid TOML"]


def thirty_mb_field_toml(tmp: Path) -> Case:
    data = (
        'format = "parley-deck"\nversion = 1\n[deck]\nname = "x"\n\n[[cards]]\n'
        f'id = "big"\nkind = "flashcard"\nfront = "{"z" * THIRTY_MB}"\nback = "b"\n'
    ).encode()
    return "huge.toml", data, ["line 9", "longer than the 1 MiB field limit"]


def broken_json(tmp: Path) -> Case:
    data = b'{"format": "parley-deck",\n "version": 1,\n "deck": {"name": "x",}\n}\n'
    return "broken.json", data, ["line 3", "not valid JSON"]


def json_not_a_deck(tmp: Path) -> Case:
    return "list.json", json.dumps([1, 2, 3]).encode(), ["must be a table"]


CORPUS: list[Callable[[Path], Case]] = [
    empty_package,
    empty_csv,
    empty_toml,
    truncated_package,
    corrupted_member,
    renamed_png,
    renamed_sqlite,
    zip_bomb_by_ratio,
    zip_bomb_by_declared_size,
    traversal_member,
    absolute_member,
    backslash_member,
    traversal_media_name,
    no_collection,
    not_sqlite_inside,
    sqlite_but_not_anki,
    current_format_not_compressed,
    placeholder_collection_only,
    broken_media_list,
    thirty_mb_field_in_a_package,
    bad_utf8_csv,
    png_named_csv,
    ragged_csv,
    empty_front_csv,
    duplicate_guid_csv,
    one_column_csv,
    headers_only_csv,
    thirty_mb_field_csv,
    bad_utf8_toml,
    broken_toml,
    thirty_mb_field_toml,
    broken_json,
    json_not_a_deck,
]


@pytest.mark.parametrize("make", CORPUS, ids=[f.__name__ for f in CORPUS])
def test_a_broken_file_is_refused_with_a_message_naming_it(
    make: Callable[[Path], Case], tmp_path: Path
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    name, data, expected = make(scratch)
    folder = tmp_path / "downloads"
    folder.mkdir()
    path = folder / name
    path.write_bytes(data)
    staging = tmp_path / "staging"

    with pytest.raises(DeckFormatError) as caught:
        read_deck(path, staging_dir=staging)

    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    for fragment in expected:
        assert fragment in message
    assert sorted(p.name for p in folder.iterdir()) == [name]
    assert not staging.exists() or not any(staging.iterdir())


def test_a_package_that_unpacks_past_the_budget_stops_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(zipsafe, "MAX_TOTAL_UNPACKED", 1024 * 1024)
    zeros = zstandard.ZstdCompressor().compress(bytes(8 * 1024 * 1024))
    path = tmp_path / "zstd-bomb.apkg"
    path.write_bytes(zip_of({"collection.anki21b": zeros}))

    with pytest.raises(DeckFormatError, match="unpacks to more than 1 MiB") as caught:
        read_deck(path)

    assert "member 'collection.anki21b'" in str(caught.value)


def test_a_package_with_too_many_members_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(zipsafe, "MAX_ZIP_MEMBERS", 100)
    path = tmp_path / "crowded.apkg"
    path.write_bytes(zip_of({str(i): b"" for i in range(101)}))

    with pytest.raises(DeckFormatError, match=r"crowded\.apkg: has 101 members; the limit is 100"):
        read_deck(path)


def test_the_real_limits_are_the_documented_ones() -> None:
    from app.formats import limits

    assert limits.MAX_TOTAL_UNPACKED == 2 * 1024**3
    assert limits.MAX_ZIP_MEMBERS == 50_000
    assert limits.MAX_FIELD_BYTES == 1024**2
