"""Role-play attempts: what the user said, how it scored, and where the recording is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.clock import utcnow
from app.core.errors import NotFoundError
from app.core.models import Attempt, Card


@dataclass
class AttemptData:
    transcript: str
    coverage: float
    result: dict[str, Any]
    engine: str
    duration_s: float | None = None
    audio_path: str | None = None
    suggested_rating: int | None = None
    rating: int | None = None
    created_at: datetime | None = None


def record_attempt(session: Session, card_id: int, data: AttemptData) -> int:
    if session.get(Card, card_id) is None:
        raise NotFoundError(f"no card with id {card_id}")
    delivery = data.result.get("delivery") or {}
    fillers = delivery.get("fillers") or {}
    attempt = Attempt(
        card_id=card_id,
        created_at=data.created_at or utcnow(),
        transcript=data.transcript,
        coverage=data.coverage,
        result=data.result,
        wpm=delivery.get("wpm"),
        filler_count=int(sum(fillers.values())) if isinstance(fillers, dict) else 0,
        engine=data.engine,
        duration_s=data.duration_s,
        audio_path=data.audio_path,
        suggested_rating=data.suggested_rating,
        rating=data.rating,
    )
    session.add(attempt)
    session.flush()
    return attempt.id


def set_attempt_rating(session: Session, attempt_id: int, rating: int) -> None:
    attempt = session.get(Attempt, attempt_id)
    if attempt is None:
        raise NotFoundError(f"no attempt {attempt_id}")
    attempt.rating = rating


def attempts_for_card(session: Session, card_id: int) -> list[Attempt]:
    return list(
        session.scalars(
            select(Attempt).where(Attempt.card_id == card_id).order_by(Attempt.created_at)
        )
    )
