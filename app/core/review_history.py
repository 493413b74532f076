"""Past reviews that travel with a deck's scheduling: Anki's review log brought into
Parley's (``add``, on import) and every review given back in Anki's terms
(``reviews_of``, on export), so a collection's history survives the trip both ways.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from app.core.clock import db_datetime
from app.model.deckdata import CardData, ReviewData

if TYPE_CHECKING:  # an import (``add``) runs without SQLAlchemy; an export has it loaded
    from sqlalchemy.orm import Session

    from app.core.models import ReviewLog

# fsrs.State of the card before a Parley review, as Anki names the review's kind.
_KIND_OF_STATE = {1: "learning", 2: "review", 3: "relearning"}
_SM2_FACTOR = 2500  # Anki's starting ease, for reviews Parley scheduled itself
_BATCH = 500  # card ids per query, well under SQLite's variable limit


_REVIEW_COLUMNS = (
    "card_id", "rating", "reviewed_at", "duration_ms", "was_new", "state_after", "due_after",
)  # fmt: skip


def add(conn: sqlite3.Connection, histories: list[tuple[int, bool, CardData]]) -> int:
    """Write past reviews from a file into the review log, so statistics show them.
    ``histories`` holds (card id, whether the import adds the card, the card's data). A
    review the card already has (the same millisecond: Anki's log id, or the time of a
    review Parley exported) is not added twice. Returns how many were added.

    An imported review has no state before it (so it is never undone) and keeps
    Anki's own view of it as its state after: the kind, intervals and ease factor, for
    an export to give back."""
    existing = [card_id for card_id, is_new, _ in histories if not is_new]
    held: set[tuple[int, int]] = set()
    for start in range(0, len(existing), _BATCH):
        batch = existing[start : start + _BATCH]
        for card_id, at in conn.execute(
            "SELECT card_id, reviewed_at FROM review_log"
            f" WHERE card_id IN ({', '.join('?' for _ in batch)})",
            batch,
        ):
            held.add((card_id, _ms(datetime.fromisoformat(at).replace(tzinfo=UTC))))
    rows = []
    for card_id, is_new, item in histories:
        first = is_new  # a card new to the collection: its first review met it new
        for review in sorted(item.history, key=lambda r: r.at_ms):
            if (card_id, review.at_ms) in held:
                continue
            held.add((card_id, review.at_ms))
            at = datetime.fromtimestamp(review.at_ms / 1000, UTC)
            anki = {
                "kind": review.kind,
                "interval_s": review.interval_s,
                "last_interval_s": review.last_interval_s,
                "factor": review.factor,
            }
            rows.append(
                (
                    card_id, review.rating, db_datetime(at), review.duration_ms,
                    first and review.kind == "learning", json.dumps({"anki": anki}),
                    db_datetime(at + timedelta(seconds=review.interval_s)),
                )
            )  # fmt: skip
            first = False
    if rows:
        columns = ", ".join(_REVIEW_COLUMNS)
        marks = ", ".join("?" for _ in _REVIEW_COLUMNS)
        conn.executemany(f"INSERT INTO review_log ({columns}) VALUES ({marks})", rows)
    return len(rows)


def _ms(at: datetime) -> int:
    return round(at.timestamp() * 1000)


def reviews_of(session: Session, card_ids: list[int]) -> dict[int, list[ReviewData]]:
    """Every review of these cards, oldest first, as Anki's review log would hold it."""
    from sqlalchemy import select

    from app.core.models import ReviewLog

    out: dict[int, list[ReviewData]] = {}
    for start in range(0, len(card_ids), _BATCH):
        for log in session.scalars(
            select(ReviewLog)
            .where(ReviewLog.card_id.in_(card_ids[start : start + _BATCH]))
            .order_by(ReviewLog.reviewed_at, ReviewLog.id)
        ):
            out.setdefault(log.card_id, []).append(_as_anki(log))
    return out


def _as_anki(log: ReviewLog) -> ReviewData:
    at_ms = _ms(log.reviewed_at)
    duration = max(0, log.duration_ms or 0)
    anki = (log.state_after or {}).get("anki")
    if isinstance(anki, dict):  # came from Anki: give back what Anki said
        return ReviewData(
            at_ms, log.rating, _int(anki.get("interval_s")), _int(anki.get("last_interval_s")),
            _int(anki.get("factor")), duration, str(anki.get("kind", "review")),
        )  # fmt: skip
    before = log.state_before or {}
    kind = "learning" if log.was_new else _KIND_OF_STATE.get(_int(before.get("state")), "review")
    last = 0
    if log.due_before is not None and log.last_review_before is not None:
        last = _seconds(log.due_before - log.last_review_before)
    return ReviewData(
        at_ms=at_ms,
        rating=log.rating,
        interval_s=_seconds(log.due_after - log.reviewed_at),
        last_interval_s=last,
        factor=0 if kind == "learning" else _SM2_FACTOR,
        duration_ms=duration,
        kind=kind,
    )


def _seconds(delta: timedelta) -> int:
    return max(0, round(delta.total_seconds()))


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
