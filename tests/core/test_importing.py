"""Importing a file: Python's cycle collector is held off while the deck is read and
written, and is always back as it was afterwards, whether the import worked or not."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.importing import import_path
from app.core.store import Store
from app.formats import write_deck
from app.model.deckdata import CardData, DeckData
from app.model.errors import DeckFormatError


@pytest.fixture
def collector_on() -> Iterator[None]:
    was_on = gc.isenabled()
    gc.enable()
    yield
    if not was_on:
        gc.disable()


def package(tmp_path: Path) -> Path:
    path = tmp_path / "small.apkg"
    card = CardData(guid="g1", kind="flashcard", front="What is UDP?", back="Datagrams")
    write_deck(DeckData(name="Small", cards=[card]), path)
    return path


@pytest.mark.usefixtures("collector_on")
def test_the_collector_is_on_again_after_an_import(store: Store, tmp_path: Path) -> None:
    summary = import_path(store, package(tmp_path))
    assert summary.added == 1
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_on")
def test_the_collector_is_on_again_after_a_file_that_cannot_be_read(
    store: Store, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.apkg"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(DeckFormatError):
        import_path(store, broken)
    assert gc.isenabled()


def test_a_caller_that_turned_the_collector_off_finds_it_off(store: Store, tmp_path: Path) -> None:
    was_on = gc.isenabled()
    gc.disable()
    try:
        import_path(store, package(tmp_path))
        assert not gc.isenabled()
    finally:
        if was_on:
            gc.enable()
