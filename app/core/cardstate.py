"""Taking cards out of the study queue and putting them back: suspend, bury, unsuspend.

Suspension lasts until undone; burying lasts until the start of the next local day, as in
Anki, so a card set aside today is back tomorrow without anyone remembering to undo it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session

from app.core import scheduling
from app.core.models import Card


def set_suspended(session: Session, card_ids: Iterable[int], suspended: bool) -> int:
    """Suspend or unsuspend these cards; returns how many rows changed."""
    ids = list(card_ids)
    if not ids:
        return 0
    result = session.execute(
        update(Card)
        .where(Card.id.in_(ids), Card.suspended.is_(not suspended))
        .values(suspended=suspended)
    )
    assert isinstance(result, CursorResult)  # an UPDATE's result counts its rows
    return int(result.rowcount or 0)


def bury(session: Session, card_ids: Iterable[int], now: datetime) -> datetime:
    """Keep these cards out of the queue until tomorrow; returns when they come back."""
    until = scheduling.start_of_day(now) + timedelta(days=1)
    ids = list(card_ids)
    if ids:
        session.execute(update(Card).where(Card.id.in_(ids)).values(buried_until=until))
    return until


def unbury(session: Session, card_ids: Iterable[int]) -> None:
    ids = list(card_ids)
    if ids:
        session.execute(update(Card).where(Card.id.in_(ids)).values(buried_until=None))
