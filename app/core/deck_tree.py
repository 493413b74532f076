"""Decks as a tree: a deck's name is its full path, levels joined by ``::`` as in Anki.

The hierarchy is read from the names, never stored apart from them, so a deck can
neither lose its parent nor be filed under two. A parent deck always exists when a child
does (an import makes the missing ones, empty), so listing the decks lists the tree.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the name functions are used where SQLAlchemy is not loaded
    from sqlalchemy import ColumnElement
    from sqlalchemy.orm import Session

    from app.core.models import Deck

SEPARATOR = "::"
# A deck and the decks below it, for queries through the sqlite3 driver; the same test as
# ``within`` (LIKE with "/" escaping, as SQLAlchemy's autoescape writes it). Parameters:
# the name, then ``below_pattern(name)``.
WITHIN_SQL = "(name = ? OR name LIKE ? ESCAPE '/')"


def normalised(name: str) -> str:
    """``name`` with each level stripped and empty levels dropped."""
    return SEPARATOR.join(part.strip() for part in name.split(SEPARATOR) if part.strip())


def ancestors(name: str) -> list[str]:
    """Every deck above ``name``, from the top: "A::B::C" -> ["A", "A::B"]."""
    parts = name.split(SEPARATOR)
    return [SEPARATOR.join(parts[:depth]) for depth in range(1, len(parts))]


def parent(name: str) -> str | None:
    above = ancestors(name)
    return above[-1] if above else None


def within(name: str) -> ColumnElement[bool]:
    """Decks named ``name`` or below it."""
    from sqlalchemy import or_

    from app.core.models import Deck

    return or_(Deck.name == name, Deck.name.startswith(name + SEPARATOR, autoescape=True))


def tops(names: list[str]) -> list[str]:
    """The names that are not below another name of the list."""
    chosen = set(names)
    return [n for n in dict.fromkeys(names) if not any(a in chosen for a in ancestors(n))]


def rehome(path: str, file_deck: str, target: str) -> str:
    """Where a card of the file's deck ``path`` goes when the user imports the file's
    deck ``file_deck`` as ``target``: the file's deck and everything below it move to
    ``target``; another top-level deck of the same file goes below ``target``."""
    if not file_deck or file_deck == target:
        return path or target
    if not path or path == file_deck:
        return target
    if path.startswith(file_deck + SEPARATOR):
        return target + path[len(file_deck) :]
    return target + SEPARATOR + path


def below_pattern(name: str) -> str:
    """The LIKE pattern of the decks below ``name`` (see ``WITHIN_SQL``)."""
    escaped = name.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"{escaped}{SEPARATOR}%"


def decks_within(session: Session, name: str) -> list[Deck]:
    """The deck ``name`` and every deck below it, parents first."""
    from sqlalchemy import select

    from app.core.models import Deck

    return list(session.scalars(select(Deck).where(within(name)).order_by(Deck.name)))


def deck_ids_within(conn: sqlite3.Connection, name: str) -> list[tuple[int, str]]:
    """(id, name) of the deck ``name`` and every deck below it, parents first."""
    return conn.execute(
        f"SELECT id, name FROM deck WHERE {WITHIN_SQL} ORDER BY name",
        (name, below_pattern(name)),
    ).fetchall()
