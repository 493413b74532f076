"""The one clock the app reads: aware UTC, and the two conversions every layer needs.
Kept apart from the models so code that only needs the time does not import SQLAlchemy
(start-up, and an import from the command line, load as little as they can)."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def start_of_day(now: datetime) -> datetime:
    """Local midnight, as UTC: the daily new-card allowance resets at the user's midnight."""
    local = now.astimezone()
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def db_datetime(value: datetime | None) -> str | None:
    """An aware datetime as the collection stores it (naive UTC text, as SQLAlchemy's
    SQLite DateTime writes it), for the writes that go through the sqlite3 driver."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
