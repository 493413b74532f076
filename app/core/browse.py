"""Finding cards across every deck, for the card browser and ``parley cards --search``.

A search is words and filters, as in Anki: ``deck:Name`` (with the decks nested under it),
``tag:word``, ``kind:flashcard`` or ``kind:roleplay``, ``is:due``, ``is:new``,
``is:suspended``, ``is:buried``; everything else must appear in the card's text (either
side, the question, model answer, persona or a key point), ignoring case. Quote a value
with spaces: ``deck:"RAG vs Fine-Tuning"``.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import Session

from app.core.decks import _load_options, _personas_by_key, card_view
from app.core.models import Card, Deck, KeyPointRow, Tag, card_tag
from app.core.reviews import studyable
from app.core.views import CardView
from app.model.errors import KnownError

STATES = ("due", "new", "suspended", "buried")
KINDS = ("flashcard", "roleplay")


@dataclass
class Search:
    words: list[str] = field(default_factory=list)
    decks: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    kind: str | None = None
    states: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, text: str) -> Search:
        try:
            tokens = shlex.split(text)
        except ValueError:
            raise KnownError(f"search {text!r}: a quote is not closed") from None
        out = cls()
        for token in tokens:
            key, sep, value = token.partition(":")
            key = key.lower()
            if not sep or key not in ("deck", "tag", "kind", "is"):
                out.words.append(token)
            elif not value:
                raise KnownError(f"search: {key}: needs a value, as in {key}:{_example(key)}")
            elif key == "deck":
                out.decks.append(value)
            elif key == "tag":
                out.tags.append(value)
            elif key == "kind":
                if value.lower() not in KINDS:
                    raise KnownError(f"search: kind:{value}: use kind:flashcard or kind:roleplay")
                out.kind = value.lower()
            elif value.lower() in KINDS:
                out.kind = value.lower()
            elif value.lower() in STATES:
                out.states.append(value.lower())
            else:
                raise KnownError(f"search: is:{value}: use one of {', '.join(STATES)}")
        return out


def _example(key: str) -> str:
    return {"deck": "Name", "tag": "word", "kind": "roleplay", "is": "due"}[key]


def _text_condition(word: str) -> ColumnElement[bool]:
    columns = (Card.front, Card.back, Card.question, Card.model_answer, Card.persona_key)
    point = exists().where(
        KeyPointRow.card_id == Card.id, KeyPointRow.label.contains(word, autoescape=True)
    )
    return or_(*(c.contains(word, autoescape=True) for c in columns), point)


def _conditions(search: Search, now: datetime) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = [_text_condition(w) for w in search.words]
    if search.decks:
        out.append(
            or_(
                *(
                    or_(Deck.name == d, Deck.name.startswith(d + "::", autoescape=True))
                    for d in search.decks
                )
            )
        )
    for tag in search.tags:
        out.append(
            exists().where(
                card_tag.c.card_id == Card.id, card_tag.c.tag_id == Tag.id, Tag.name == tag
            )
        )
    if search.kind:
        out.append(Card.kind == search.kind)
    for state in search.states:
        if state == "suspended":
            out.append(Card.suspended.is_(True))
        elif state == "buried":
            out.append(and_(Card.buried_until.is_not(None), Card.buried_until > now))
        elif state == "new":
            out.append(Card.last_review.is_(None))
        else:  # due: reviewed, due now, and in the queue
            out.append(and_(Card.last_review.is_not(None), Card.due <= now, *studyable(now)))
    return out


def find_cards(session: Session, text: str, now: datetime, limit: int = 5000) -> list[CardView]:
    """Cards matching ``text`` (see the module docstring), deck by deck in deck order."""
    search = Search.parse(text)
    query = (
        select(Card)
        .join(Deck, Deck.id == Card.deck_id)
        .where(*_conditions(search, now))
        .options(*_load_options())
        .order_by(Deck.name, Card.position, Card.id)
        .limit(limit)
    )
    return [card_view(c, _personas_by_key(c.deck)) for c in session.scalars(query)]
