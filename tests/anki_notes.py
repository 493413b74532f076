"""Adding notes to a real Anki collection, for the tests that build Anki packages.

Anki's lookups answer None for a name they do not know; a test that built its own
collection asked for a stock note type or a deck it creates, so None would be a broken
test, said here in one line rather than as an attribute error deep inside Anki.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from anki.collection import Collection
    from anki.decks import DeckId
    from anki.notes import Note


def new_note(col: Collection, notetype: str) -> Note:
    """A new note of one of the collection's note types ("Basic", "Cloze", ...)."""
    model = col.models.by_name(notetype)
    if model is None:
        raise LookupError(f"the test collection has no note type {notetype!r}")
    return col.new_note(model)


def deck_id(col: Collection, name: str) -> DeckId:
    """The id of the deck ``name`` ("A::B" for a subdeck), made if it is not there yet."""
    found = col.decks.id(name, create=True)
    if found is None:
        raise LookupError(f"the test collection could not make the deck {name!r}")
    return found
