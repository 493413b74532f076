"""Role-play attempts: what the user said, how it scored, and where the recording is.

A recording inside the data dir is stored by its path relative to the data dir
(``recordings/…``, with ``/`` separators), so the collection keeps finding its recordings
after the folder is moved or copied to another machine; a file elsewhere keeps its
absolute path. Readers resolve a stored path with ``resolve_recording``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.clock import utcnow
from app.core.models import Attempt, Card
from app.model.errors import NotFoundError
from app.model.paths import DB_FILENAME, recordings_dir


@dataclass
class AttemptData:
    transcript: str
    coverage: float
    result: dict[str, Any]
    engine: str
    duration_s: float | None = None
    audio_path: str | os.PathLike[str] | None = None
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
        audio_path=stored_recording(data.audio_path, session_data_dir(session)),
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


def session_data_dir(session: Session) -> Path | None:
    """The data dir of the collection ``session`` writes: the folder of its SQLite file."""
    database = session.get_bind().engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = Path(database)
    return path.parent if path.name == DB_FILENAME else None


def stored_recording(path: str | os.PathLike[str] | None, data_dir: Path | None) -> str | None:
    """What the collection keeps for a recording at ``path``: relative to the data dir
    when inside it, else the path as given."""
    if path is None or not str(path):
        return None
    if data_dir is None:
        return str(path)
    absolute = Path(os.path.abspath(path))
    for inner, outer in ((absolute, Path(os.path.abspath(data_dir))),
                         (absolute.resolve(), data_dir.resolve())):  # fmt: skip
        try:
            return inner.relative_to(outer).as_posix()
        except ValueError:
            continue
    return str(path)


def resolve_recording(stored: str | None, data_dir: Path | None) -> Path | None:
    """Where the recording an attempt stored as ``stored`` is now, if it still exists.

    Relative paths are inside the current data dir (an older bare file name inside its
    recordings folder). An absolute path that is gone but whose file sits in this data
    dir's recordings folder was made before the folder moved: that file is it."""
    if not stored:
        return None
    candidates: list[Path] = []
    path = Path(stored)
    if not path.is_absolute():
        if data_dir is None:
            return None
        relative = Path(*PurePosixPath(stored).parts)
        candidates += [data_dir / relative, recordings_dir(data_dir) / relative]
    else:
        candidates.append(path)
        if data_dir is not None and path.parent.name == recordings_dir(data_dir).name:
            candidates.append(recordings_dir(data_dir) / path.name)
    return next((c for c in candidates if c.is_file()), None)


def recording_of(session: Session, attempt: Attempt, data_dir: Path | None = None) -> Path | None:
    """The playable recording of ``attempt``, resolved against ``data_dir`` (by default
    the data dir of the collection the session reads)."""
    return resolve_recording(attempt.audio_path, data_dir or session_data_dir(session))
