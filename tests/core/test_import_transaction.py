"""An import is one transaction on the sqlite3 driver: a failure after its rows are
written takes every one of them back, and another process sees none of them before
the commit."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from app.core import deck_import, review_history
from app.core.importing import import_path
from app.core.store import Store
from app.formats import write_deck
from app.model.deckdata import CardData, DeckData
from app.model.errors import KnownError
from app.model.paths import DB_FILENAME


def a_package(tmp_path: Path, name: str, cards: int) -> Path:
    path = tmp_path / f"{name}.apkg"
    write_deck(
        DeckData(
            name=name,
            cards=[
                CardData(
                    guid=f"{name}-{i}",
                    kind="flashcard",
                    front=f"Port {i}?",
                    back="A number",
                    tags=["ports"],
                    deck=f"{name}::Part {i % 2}",
                )
                for i in range(cards)
            ],
        ),
        path,
    )
    return path


def rows(data_dir: Path) -> dict[str, int]:
    with closing(sqlite3.connect(data_dir / DB_FILENAME)) as conn:
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("deck", "card", "card_tag", "tag")
        }


def test_an_import_that_fails_after_writing_its_cards_leaves_the_collection_as_it_was(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = rows(store.data_dir)
    cards_seen: list[int] = []

    def fails_after_the_cards_are_in(conn: sqlite3.Connection, histories: object) -> int:
        # The cards, their tags and the new decks are written in this transaction...
        cards_seen.append(conn.execute("SELECT count(*) FROM card").fetchone()[0])
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(review_history, "add", fails_after_the_cards_are_in)
    with pytest.raises(KnownError) as failed:
        import_path(store, a_package(tmp_path, "Ports", 30))

    message = str(failed.value)
    assert "\n" not in message
    assert message.startswith(str(store.db_path))
    assert "could not import the deck (nothing was imported): database or disk is full" in message

    assert cards_seen == [before["card"] + 30]
    assert rows(store.data_dir) == before  # ...and every one is gone again


def test_another_reader_sees_none_of_an_import_until_it_commits(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = rows(store.data_dir)
    seen_outside: list[dict[str, int]] = []
    write = deck_import._NewCards.write

    def write_then_look_from_outside(self: deck_import._NewCards) -> None:
        write(self)
        seen_outside.append(rows(store.data_dir))

    monkeypatch.setattr(deck_import._NewCards, "write", write_then_look_from_outside)
    summary = import_path(store, a_package(tmp_path, "Ports", 30))

    assert summary.added == 30
    assert seen_outside == [before]
    after = rows(store.data_dir)
    assert after["card"] == before["card"] + 30
    assert after["deck"] == before["deck"] + 3  # Ports, Ports::Part 0, Ports::Part 1
