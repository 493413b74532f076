"""The user corrects a verdict, and the card learns from it.

Flipping a missed key point to met keeps the phrase the user actually used as a new
alternative of that point (so the same answer is met next time, and the phrase travels
with the deck when it is exported); flipping a false hit keeps the phrase as rejected
for that point, so it no longer counts. Each correction returns what undoes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.core.decks import card_view
from app.core.models import Attempt, Card, KeyPointRow
from app.core.views import CardView
from app.model.errors import KnownError, NotFoundError

MAX_PHRASE_CHARS = 300  # a phrase is a clause of an answer, not the whole answer


@dataclass(frozen=True)
class Lesson:
    """One correction, with the key point's lists as they were before it."""

    card_id: int
    position: int
    alternatives_before: tuple[str, ...]
    rejected_before: tuple[str, ...]


def teach(session: Session, card_id: int, position: int, phrase: str, counts: bool) -> Lesson:
    """``phrase`` makes (``counts``) or does not make key point ``position`` of the card."""
    phrase = " ".join(phrase.split())
    if not phrase:
        raise KnownError("There is no phrase to learn: the answer said nothing there.")
    if len(phrase) > MAX_PHRASE_CHARS:
        phrase = phrase[:MAX_PHRASE_CHARS].rsplit(" ", 1)[0]
    point = _point(session, card_id, position)
    lesson = Lesson(card_id, position, tuple(point.alternatives), tuple(point.rejected or []))
    alternatives = [a for a in point.alternatives if a.casefold() != phrase.casefold()]
    rejected = [r for r in point.rejected or [] if r.casefold() != phrase.casefold()]
    if counts:
        alternatives.append(phrase)
    else:
        rejected.append(phrase)
    point.alternatives, point.rejected = alternatives, rejected
    return lesson


def undo(session: Session, lesson: Lesson) -> None:
    point = _point(session, lesson.card_id, lesson.position)
    point.alternatives = list(lesson.alternatives_before)
    point.rejected = list(lesson.rejected_before)


def current_card(session: Session, card_id: int) -> CardView:
    session.flush()
    card = session.get(Card, card_id)
    if card is None:
        raise NotFoundError(f"no card with id {card_id}")
    session.refresh(card)
    return card_view(card)


def rewrite_attempt(
    session: Session, attempt_id: int, coverage: float, result: dict[str, object], rating: int
) -> None:
    """The attempt's stored verdicts after a correction, so statistics agree with it."""
    attempt = session.get(Attempt, attempt_id)
    if attempt is None:
        raise NotFoundError(f"no attempt {attempt_id}")
    attempt.coverage, attempt.result, attempt.suggested_rating = coverage, result, rating


def _point(session: Session, card_id: int, position: int) -> KeyPointRow:
    card = session.get(Card, card_id)
    if card is None:
        raise NotFoundError(f"no card with id {card_id}")
    if not 0 <= position < len(card.key_points):
        raise NotFoundError(f"card {card_id} has no key point {position + 1}")
    return card.key_points[position]
