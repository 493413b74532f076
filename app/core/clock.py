"""The one clock the app reads: aware UTC. Kept apart from the models so code that only
needs the time does not import SQLAlchemy (start-up imports as little as it can)."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
