"""The study queue and reviews: what is due, rating a card, undoing a rating.

Every review is written and logged in the caller's transaction, which the GUI commits
the moment the user rates: a crash never loses a finished review.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from app.core import scheduling
from app.core.models import Card, ReviewLog
from app.core.views import QueueCounts
from app.model.errors import NotFoundError

# fsrs.State values of a card still in its (re)learning steps, as fsrs_state stores them.
LEARNING_STATES = (1, 3)


@dataclass(frozen=True)
class ReviewResult:
    log_id: int
    card_id: int
    due: datetime
    interval: timedelta


def _logged_today(
    session: Session, deck_id: int, now: datetime, *, new: bool, kind: str | None
) -> int:
    """Reviews of this deck's cards of ``kind`` since local midnight: of new cards, or of
    seen ones. Per kind, so flashcards never use up the role-plays' daily limits."""
    return (
        session.scalar(
            select(func.count())
            .select_from(ReviewLog)
            .join(Card, Card.id == ReviewLog.card_id)
            .where(
                Card.deck_id == deck_id,
                ReviewLog.was_new.is_(new),
                ReviewLog.reviewed_at >= scheduling.start_of_day(now),
                *_kind_filter(kind),
            )
        )
        or 0
    )


def _new_allowance(
    session: Session, deck_id: int, now: datetime, new_per_day: int, kind: str | None
) -> int:
    return max(0, new_per_day - _logged_today(session, deck_id, now, new=True, kind=kind))


def _review_allowance(
    session: Session, deck_id: int, now: datetime, reviews_per_day: int | None, kind: str | None
) -> int | None:
    """How many more due reviews today, or None for no daily cap."""
    if reviews_per_day is None:
        return None
    return max(0, reviews_per_day - _logged_today(session, deck_id, now, new=False, kind=kind))


def _kind_filter(kind: str | None) -> tuple[ColumnElement[bool], ...]:
    return (Card.kind == kind,) if kind else ()


def studyable(now: datetime) -> tuple[ColumnElement[bool], ...]:
    """Conditions that keep suspended cards, and cards buried until later, out of a queue."""
    return (Card.suspended.is_(False), or_(Card.buried_until.is_(None), Card.buried_until <= now))


def queue_counts(
    session: Session,
    deck_id: int,
    now: datetime,
    new_per_day: int,
    kind: str | None = None,
    reviews_per_day: int | None = None,
) -> QueueCounts:
    """What ``due_queue`` would hold now, split as Anki does: new cards (today's
    allowance), cards in their learning steps, and due reviews."""
    review_cap = _review_allowance(session, deck_id, now, reviews_per_day, kind)
    # The seen cards the queue takes (oldest due first, up to the cap), counted by state.
    seen = (
        select(Card.fsrs_state["state"].as_integer().label("state"))
        .where(Card.deck_id == deck_id, Card.last_review.is_not(None), Card.due <= now)
        .where(*_kind_filter(kind), *studyable(now))
        .order_by(Card.due)
        .limit(review_cap)
        .subquery()
    )
    seen_total, learning = session.execute(
        select(func.count(), func.count().filter(seen.c.state.in_(LEARNING_STATES))).select_from(
            seen
        )
    ).one()
    allowance = _new_allowance(session, deck_id, now, new_per_day, kind)
    # Only up to the allowance: counting every new card of a big deck costs milliseconds.
    new_total = session.scalar(
        select(func.count()).select_from(
            select(Card.id)
            .where(Card.deck_id == deck_id, Card.last_review.is_(None))
            .where(*_kind_filter(kind), *studyable(now))
            .limit(allowance)
            .subquery()
        )
    )
    learning = learning or 0
    return QueueCounts(
        new=min(allowance, new_total or 0), learning=learning, review=(seen_total or 0) - learning
    )


def due_queue(
    session: Session,
    deck_id: int,
    now: datetime,
    new_per_day: int,
    kind: str | None = None,
    limit: int | None = None,
    reviews_per_day: int | None = None,
) -> list[int]:
    """Card ids to study now: due reviews (oldest first, up to the daily review cap), then
    today's new cards in deck order."""
    review_cap = _review_allowance(session, deck_id, now, reviews_per_day, kind)
    limit_reviews: int | None
    if review_cap is not None:
        limit_reviews = review_cap if limit is None else min(limit, review_cap)
    else:
        limit_reviews = limit
    reviews_due = list(
        session.scalars(
            select(Card.id)
            .where(Card.deck_id == deck_id, Card.last_review.is_not(None), Card.due <= now)
            .where(*_kind_filter(kind), *studyable(now))
            .order_by(Card.due)
            .limit(limit_reviews)
        )
    )
    allowance = _new_allowance(session, deck_id, now, new_per_day, kind)
    new_cards = list(
        session.scalars(
            select(Card.id)
            .where(Card.deck_id == deck_id, Card.last_review.is_(None))
            .where(*_kind_filter(kind), *studyable(now))
            .order_by(Card.position, Card.id)
            .limit(allowance)
        )
    )
    queue = reviews_due + new_cards
    return queue if limit is None else queue[:limit]


def next_due(session: Session, deck_id: int, kind: str | None = None) -> datetime | None:
    """When the next already-seen card comes due (for "come back at 14:05")."""
    return session.scalar(
        select(func.min(Card.due))
        .where(Card.deck_id == deck_id, Card.last_review.is_not(None), Card.suspended.is_(False))
        .where(*_kind_filter(kind))
    )


def review_card(
    session: Session,
    card_id: int,
    rating: int,
    now: datetime,
    *,
    duration_ms: int | None = None,
    attempt_id: int | None = None,
) -> ReviewResult:
    card = session.get(Card, card_id)
    if card is None:
        raise NotFoundError(f"no card with id {card_id}")
    outcome = scheduling.review(card.id, card.fsrs_state, rating, now)
    log = ReviewLog(
        card_id=card.id,
        rating=rating,
        reviewed_at=now,
        duration_ms=duration_ms,
        was_new=card.last_review is None,
        state_before=card.fsrs_state,
        due_before=card.due,
        last_review_before=card.last_review,
        state_after=outcome.state,
        due_after=outcome.due,
        attempt_id=attempt_id,
    )
    if rating == 1 and card.last_review is not None:
        card.lapses += 1
    card.reps += 1
    card.fsrs_state = outcome.state
    card.due = outcome.due
    card.last_review = now
    session.add(log)
    session.flush()
    return ReviewResult(log.id, card.id, outcome.due, outcome.due - now)


def undo_review(session: Session, log_id: int) -> int:
    """Put the card back exactly as it was before review ``log_id``; returns its id."""
    log = session.get(ReviewLog, log_id)
    if log is None:
        raise NotFoundError(f"no review {log_id} to undo")
    card = session.get(Card, log.card_id)
    if card is None:
        raise NotFoundError(f"no card with id {log.card_id}")
    card.fsrs_state = log.state_before
    card.due = log.due_before
    card.last_review = log.last_review_before
    card.reps = max(0, card.reps - 1)
    if log.rating == 1 and not log.was_new:
        card.lapses = max(0, card.lapses - 1)
    session.delete(log)
    session.flush()
    return card.id
