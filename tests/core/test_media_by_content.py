"""Decks share one media folder: a name never loses its file to another deck's file, and a
card never names a file that is not there, whatever fails on the way."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from app.core import decks, importing, services
from app.core.exporting import export_to_file
from app.core.importing import commit_import, import_path, prepare_import
from app.core.store import Store
from app.core.views import ImportSummary
from app.formats import write_deck
from app.model.deckdata import CardData, DeckData
from app.model.errors import KnownError
from app.model.paths import DB_FILENAME, media_dir

SPANISH = b"ID3 hola - the Spanish word"
FRENCH = b"ID3 salut - the French word"


def deck_file(folder: Path, deck: str, sounds: dict[str, bytes], suffix: str = ".toml") -> Path:
    """A deck named ``deck`` with one card per sound, as a user would get it from a
    friend: TOML with its media beside it, or an Anki package with them inside."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = {}
    for n, (name, data) in enumerate(sounds.items()):
        source = folder / f"source-{n}{Path(name).suffix}"
        source.write_bytes(data)
        sources[name] = source
    path = folder / f"{deck}{suffix}"
    write_deck(
        DeckData(
            name=deck,
            cards=[
                CardData(
                    guid=f"{deck}-{name}", kind="flashcard", front=name, back="?", media=[name]
                )
                for name in sounds
            ],
            media_files=sources,
        ),
        path,
    )
    for source in sources.values():
        source.unlink()
    return path


def played(store: Store, deck: str) -> dict[str, bytes]:
    """Front of each card -> the bytes of the file it plays."""
    with store.session() as s:
        cards = services.list_cards(s, deck)
    return {c.front or "": (media_dir(store.data_dir) / c.media[0]).read_bytes() for c in cards}


def dangling_references(data_dir: Path) -> list[str]:
    """Media named by a committed card that the media folder does not hold."""
    with closing(sqlite3.connect(data_dir / DB_FILENAME)) as conn:
        rows = conn.execute("SELECT media FROM card").fetchall()
    return [
        n for (media,) in rows for n in json.loads(media) if not (media_dir(data_dir) / n).is_file()
    ]


def card_count(data_dir: Path, deck: str) -> int:
    with closing(sqlite3.connect(data_dir / DB_FILENAME)) as conn:
        row = conn.execute(
            "SELECT count(*) FROM card JOIN deck ON deck.id = card.deck_id WHERE deck.name = ?",
            (deck,),
        ).fetchone()
    return int(row[0])


@pytest.mark.parametrize("suffix", [".toml", ".apkg"])
def test_two_decks_with_a_same_named_different_sound_both_keep_their_own(
    store: Store, tmp_path: Path, suffix: str
) -> None:
    spanish = deck_file(tmp_path / "es", "Spanish", {"word.mp3": SPANISH}, suffix)
    french = deck_file(tmp_path / "fr", "French", {"word.mp3": FRENCH}, suffix)

    import_path(store, spanish)
    import_path(store, french)

    assert played(store, "Spanish") == {"word.mp3": SPANISH}
    assert played(store, "French") == {"word.mp3": FRENCH}
    # The first deck kept the name; the second's file got a name from its content.
    assert (media_dir(store.data_dir) / "word.mp3").read_bytes() == SPANISH
    with store.session() as s:
        (card,) = services.list_cards(s, "French")
    assert card.media[0].startswith("word-") and card.media[0].endswith(".mp3")


def test_importing_the_same_deck_again_reuses_its_files_and_changes_nothing(
    store: Store, tmp_path: Path
) -> None:
    spanish = deck_file(tmp_path / "es", "Spanish", {"word.mp3": SPANISH})
    french = deck_file(tmp_path / "fr", "French", {"word.mp3": FRENCH})
    import_path(store, spanish)
    import_path(store, french)
    before = sorted(p.name for p in media_dir(store.data_dir).iterdir())

    again = import_path(store, french)

    assert (again.added, again.updated, again.unchanged) == (0, 0, 1)
    assert sorted(p.name for p in media_dir(store.data_dir).iterdir()) == before
    assert played(store, "French") == {"word.mp3": FRENCH}


def test_a_deck_renamed_on_clash_exports_and_imports_elsewhere_with_its_own_sound(
    store: Store, tmp_path: Path
) -> None:
    import_path(store, deck_file(tmp_path / "es", "Spanish", {"word.mp3": SPANISH}))
    import_path(store, deck_file(tmp_path / "fr", "French", {"word.mp3": FRENCH}))
    media = media_dir(store.data_dir)
    out = tmp_path / "out"
    out.mkdir()

    for name in ("French.apkg", "French.toml"):
        with store.session() as s:
            export_to_file(s, "French", out / name, media_root=media)
        other = Store.open(tmp_path / f"other-{name}", seed=False)
        try:
            import_path(other, out / name)
            assert played(other, "French") == {"word.mp3": FRENCH}
        finally:
            other.close()


def test_a_failure_while_media_are_moved_in_commits_no_card(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sounds = {"one.mp3": b"ID3 one", "two.mp3": b"ID3 two"}
    prepared = prepare_import(store.data_dir, deck_file(tmp_path / "d", "Numbers", sounds))
    real_link = importing._link_new
    calls = []

    def disk_full_on_the_second(source: Path, target: Path) -> bool:
        calls.append(target)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(target))
        return real_link(source, target)

    monkeypatch.setattr(importing, "_link_new", disk_full_on_the_second)
    with pytest.raises(KnownError, match=r"cannot store the deck's media \(No space left"):
        commit_import(store, prepared)

    assert card_count(store.data_dir, "Numbers") == 0
    assert dangling_references(store.data_dir) == []
    assert not any(media_dir(store.data_dir).iterdir())  # the first file was taken back
    assert not prepared.staging.exists()


def test_a_failure_after_the_media_are_in_but_before_the_cards_commit_leaves_nothing(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prepared = prepare_import(
        store.data_dir, deck_file(tmp_path / "d", "Numbers", {"one.mp3": b"ID3 one"})
    )

    def killed_mid_write(*args: object, **kwargs: object) -> object:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(importing, "import_deck", killed_mid_write)
    with pytest.raises(OSError, match="Input/output"):
        commit_import(store, prepared)

    assert card_count(store.data_dir, "Numbers") == 0
    assert not any(media_dir(store.data_dir).iterdir())


def test_once_committed_every_card_finds_its_file(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The order is media first, cards second: the moment the cards are visible to another
    reader, their files are already there."""
    prepared = prepare_import(
        store.data_dir, deck_file(tmp_path / "d", "Numbers", {"one.mp3": b"ID3 one"})
    )
    seen_during_commit: list[bool] = []

    def checking(*args: Any, **kwargs: Any) -> ImportSummary:
        seen_during_commit.append((media_dir(store.data_dir) / "one.mp3").is_file())
        return decks.import_deck(*args, **kwargs)

    monkeypatch.setattr(importing, "import_deck", checking)
    commit_import(store, prepared)
    assert seen_during_commit == [True]
    assert dangling_references(store.data_dir) == []
    assert played(store, "Numbers") == {"one.mp3": b"ID3 one"}


def test_a_long_clashing_name_still_fits_the_file_system(store: Store, tmp_path: Path) -> None:
    long_name = "w" * 240 + ".mp3"
    import_path(store, deck_file(tmp_path / "a", "A", {long_name: b"ID3 a"}))
    import_path(store, deck_file(tmp_path / "b", "B", {long_name: b"ID3 b"}))

    assert played(store, "A") == {long_name: b"ID3 a"}
    assert played(store, "B") == {long_name: b"ID3 b"}


def test_two_packages_with_a_same_named_different_image_each_show_their_own(
    tmp_path: Path, store: Store
) -> None:
    for deck, colour in (("Flags", b"red"), ("Maps", b"blue")):
        picture = tmp_path / f"{deck}.png"
        picture.write_bytes(b"\x89PNG " + colour)
        write_deck(
            DeckData(
                name=deck,
                cards=[
                    CardData(
                        guid=f"{deck}-1",
                        kind="flashcard",
                        front=deck,
                        back="?",
                        back_images=["picture.png"],
                    )
                ],
                media_files={"picture.png": picture},
            ),
            tmp_path / f"{deck}.apkg",
        )
        import_path(store, tmp_path / f"{deck}.apkg")

    with store.session() as s:
        shown = {
            deck: (media_dir(store.data_dir) / services.list_cards(s, deck)[0].back_images[0])
            for deck in ("Flags", "Maps")
        }
    assert shown["Flags"].read_bytes() == b"\x89PNG red"
    assert shown["Maps"].read_bytes() == b"\x89PNG blue"
    assert shown["Flags"] != shown["Maps"]
