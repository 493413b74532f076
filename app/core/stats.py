"""The figures behind the statistics screen and ``parley stats``, computed without Qt.

One call, :func:`deck_stats`, reads everything a deck's statistics need in one session,
so the GUI makes a single trip to the DB worker and the CLI prints the very same figures.
Days are calendar days in the user's time zone (``tz=None``) because "reviews today" and
"due tomorrow" mean the user's today; tests pass a fixed ``tz`` to stay independent of
the machine they run on.

Definitions (the JSON shape of :meth:`DeckStats.to_json` is part of the CLI contract):

- *reviews per day*: every rating given in the last ``days`` days, split into first
  reviews of new cards and reviews of cards already seen;
- *due forecast*: already-seen cards by the day they fall due, for ``forecast_days``
  days; today's figure includes everything overdue;
- *retention*: the share of Good/Easy among reviews of already-seen cards, per
  Monday-to-Sunday week overlapping the window and over the deck's whole history;
- *coverage*: each role-play's attempts in order, with the share of key points met;
- *missed key points*: how often each key-point label was missed across all attempts;
- *delivery*: words per minute and fillers per minute of every spoken attempt.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from statistics import fmean
from typing import Any

from sqlalchemy import Integer, case, cast, func, select
from sqlalchemy.orm import Session

from app.core.attempts import recording_of
from app.core.decks import find_deck
from app.core.models import Attempt, Card, KeyPointRow, Persona, ReviewLog
from app.model.errors import NotFoundError

PASSING_RATINGS = (3, 4)  # Good, Easy
WPM_COMFORT = (120.0, 160.0)  # a comfortable speaking pace for explanations
FORECAST_DAYS = 30
MISSED_LIMIT = 10
RECENT_ATTEMPTS = 10


# -- the figures ------------------------------------------------------------------------
@dataclass(frozen=True)
class DayReviews:
    day: date
    new: int
    review: int

    @property
    def count(self) -> int:
        return self.new + self.review

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "count": self.count,
            "new": self.new,
            "review": self.review,
        }


@dataclass(frozen=True)
class DueDay:
    day: date
    due: int

    def to_json(self) -> dict[str, Any]:
        return {"date": self.day.isoformat(), "due": self.due}


@dataclass(frozen=True)
class Retention:
    """``passed`` of ``reviews`` were Good or Easy; ``week`` is the Monday, or None for
    the all-time figure."""

    reviews: int
    passed: int
    week: date | None = None

    @property
    def rate(self) -> float | None:
        return self.passed / self.reviews if self.reviews else None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {} if self.week is None else {"week": self.week.isoformat()}
        rate = self.rate
        out.update(
            reviews=self.reviews, passed=self.passed, rate=None if rate is None else round(rate, 4)
        )
        return out


@dataclass(frozen=True)
class CoveragePoint:
    attempt_id: int
    number: int  # 1 for the card's first attempt
    created_at: datetime
    coverage: float

    def to_json(self) -> dict[str, Any]:
        return {
            "attempt_id": self.attempt_id,
            "number": self.number,
            "created_at": self.created_at.isoformat(),
            "coverage": round(self.coverage, 4),
        }


@dataclass(frozen=True)
class PromptCoverage:
    card_id: int
    persona: str  # the key cards refer to, "product manager"
    question: str
    points: tuple[CoveragePoint, ...]
    persona_name: str = ""  # what the persona is called, "Priya"; empty if unnamed

    @property
    def title(self) -> str:
        who = self.persona_name or self.persona
        return f"{who}: {self.question}" if who else self.question

    def to_json(self) -> dict[str, Any]:
        return {
            "card_id": self.card_id,
            "persona": self.persona,
            "persona_name": self.persona_name,
            "question": self.question,
            "attempts": [p.to_json() for p in self.points],
        }


@dataclass(frozen=True)
class MissedPoint:
    label: str
    missed: int
    assessed: int

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "missed": self.missed, "assessed": self.assessed}


@dataclass(frozen=True)
class DeliveryPoint:
    attempt_id: int
    card_id: int
    created_at: datetime
    wpm: float
    fillers_per_minute: float | None

    def to_json(self) -> dict[str, Any]:
        fpm = self.fillers_per_minute
        return {
            "attempt_id": self.attempt_id,
            "card_id": self.card_id,
            "created_at": self.created_at.isoformat(),
            "wpm": round(self.wpm, 1),
            "fillers_per_minute": None if fpm is None else round(fpm, 2),
        }


@dataclass(frozen=True)
class Totals:
    flashcards: int
    roleplays: int
    seen: int
    reviews: int  # all time
    reviews_today: int
    attempts: int
    recent_coverage: float | None  # mean over the last RECENT_ATTEMPTS attempts
    recent_wpm: float | None

    def to_json(self) -> dict[str, Any]:
        def r(v: float | None, n: int) -> float | None:
            return None if v is None else round(v, n)

        return {
            "flashcards": self.flashcards,
            "roleplays": self.roleplays,
            "seen": self.seen,
            "reviews": self.reviews,
            "reviews_today": self.reviews_today,
            "attempts": self.attempts,
            "recent_coverage": r(self.recent_coverage, 4),
            "recent_wpm": r(self.recent_wpm, 1),
        }


@dataclass(frozen=True)
class DeckStats:
    deck: str
    generated_at: datetime
    days: int
    totals: Totals
    reviews_per_day: tuple[DayReviews, ...]
    due_forecast: tuple[DueDay, ...]
    overdue: int
    retention_weekly: tuple[Retention, ...]
    retention_overall: Retention
    coverage: tuple[PromptCoverage, ...]
    missed_key_points: tuple[MissedPoint, ...]
    delivery: tuple[DeliveryPoint, ...]
    wpm_comfort: tuple[float, float] = field(default=WPM_COMFORT)

    def to_json(self) -> dict[str, Any]:
        return {
            "deck": self.deck,
            "generated_at": self.generated_at.isoformat(),
            "days": self.days,
            "totals": self.totals.to_json(),
            "reviews_per_day": [d.to_json() for d in self.reviews_per_day],
            "due_forecast": [d.to_json() for d in self.due_forecast],
            "overdue": self.overdue,
            "retention": {
                "overall": self.retention_overall.to_json(),
                "weekly": [w.to_json() for w in self.retention_weekly],
            },
            "coverage": [c.to_json() for c in self.coverage],
            "missed_key_points": [m.to_json() for m in self.missed_key_points],
            "delivery": {
                "wpm_comfort": list(self.wpm_comfort),
                "attempts": [d.to_json() for d in self.delivery],
            },
        }


# -- calendar helpers -------------------------------------------------------------------
def _local(dt: datetime, tz: tzinfo | None) -> datetime:
    # astimezone() without an argument follows the system's rules, DST included.
    return dt.astimezone(tz) if tz is not None else dt.astimezone()


def _day(dt: datetime, tz: tzinfo | None) -> date:
    return _local(dt, tz).date()


def _midnight(day: date, tz: tzinfo | None) -> datetime:
    if tz is not None:
        return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    return datetime.combine(day, time(0)).astimezone().astimezone(UTC)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


# -- queries ------------------------------------------------------------------------------
def deck_stats(
    session: Session,
    deck_name: str,
    now: datetime,
    days: int = 30,
    *,
    forecast_days: int = FORECAST_DAYS,
    tz: tzinfo | None = None,
) -> DeckStats:
    """Every figure of the statistics screen for ``deck_name`` as of ``now``."""
    if days < 1 or forecast_days < 1:
        raise ValueError("days and forecast_days must be at least 1")
    deck = find_deck(session, deck_name)
    today = _day(now, tz)
    first_day = today - timedelta(days=days - 1)

    reviews = _reviews_per_day(session, deck.id, first_day, today, tz)
    forecast, overdue = _due_forecast(session, deck.id, now, today, forecast_days, tz)
    weekly, overall = _retention(session, deck.id, first_day, today, tz)
    attempts = [
        (a, persona, question)
        for a, persona, question in session.execute(
            select(Attempt, Card.persona_key, Card.question)
            .join(Card, Card.id == Attempt.card_id)
            .where(Card.deck_id == deck.id)
            # An attempt with no words (saved by an older Parley) says nothing about
            # coverage or pace; such attempts are no longer saved at all.
            .where(func.trim(Attempt.transcript) != "")
            .order_by(Attempt.created_at, Attempt.id)
        )
    ]
    coverage = _coverage(attempts, _persona_names(session, deck.id))
    missed = _missed(a for a, _p, _q in attempts)
    delivery = tuple(p for a, _p, _q in attempts if (p := _delivery_point(a)) is not None)
    totals = _totals(session, deck.id, reviews, [a for a, _p, _q in attempts], delivery)
    return DeckStats(
        deck=deck.name,
        generated_at=now,
        days=days,
        totals=totals,
        reviews_per_day=reviews,
        due_forecast=forecast,
        overdue=overdue,
        retention_weekly=weekly,
        retention_overall=overall,
        coverage=coverage,
        missed_key_points=missed,
        delivery=delivery,
    )


# Reviews are counted in SQL per quarter hour of UTC time, then the quarters are placed
# in local days: every time zone's offset is a whole number of quarter hours, and a heavy
# user's window holds at most a few thousand quarters but maybe a million reviews.
SLOT_S = 15 * 60
_SLOT = cast(func.strftime("%s", ReviewLog.reviewed_at), Integer) // SLOT_S


def _slot_start(slot: int) -> datetime:
    return datetime.fromtimestamp(slot * SLOT_S, UTC)


def _bucket(edges: list[datetime], when: datetime) -> int:
    """Which period ``when`` falls in, given the periods' start times (UTC, rising);
    -1 before the first, ``len(edges) - 1`` for the open-ended last one."""
    return bisect_right(edges, when) - 1


def _reviews_per_day(
    session: Session, deck_id: int, first: date, today: date, tz: tzinfo | None
) -> tuple[DayReviews, ...]:
    span = (today - first).days + 1
    days = [first + timedelta(days=i) for i in range(span)]
    # Local midnights as UTC, once: bisecting them is far cheaper than converting every
    # review's time to the local zone (a heavy user has hundreds of thousands).
    edges = [_midnight(d, tz) for d in [*days, today + timedelta(days=1)]]
    new, seen = [0] * span, [0] * span
    rows = session.execute(
        select(_SLOT, ReviewLog.was_new, func.count())
        .join(Card, Card.id == ReviewLog.card_id)
        .where(
            Card.deck_id == deck_id,
            ReviewLog.reviewed_at >= edges[0],
            ReviewLog.reviewed_at < edges[-1],
        )
        .group_by(_SLOT, ReviewLog.was_new)
    )
    for slot, was_new, n in rows:
        i = _bucket(edges, _slot_start(slot))
        if 0 <= i < span:
            (new if was_new else seen)[i] += n
    return tuple(DayReviews(d, new[i], seen[i]) for i, d in enumerate(days))


def _due_forecast(
    session: Session, deck_id: int, now: datetime, today: date, span: int, tz: tzinfo | None
) -> tuple[tuple[DueDay, ...], int]:
    days = [today + timedelta(days=i) for i in range(span)]
    edges = [_midnight(d, tz) for d in [*days, today + timedelta(days=span)]]
    due = [0] * span
    overdue = 0
    rows = session.scalars(
        select(Card.due).where(
            Card.deck_id == deck_id, Card.last_review.is_not(None), Card.due < edges[-1]
        )
    )
    for when in rows:
        if when is None:
            continue
        if when <= now:
            overdue += 1
        due[max(0, _bucket(edges, when))] += 1  # overdue cards count for today
    return tuple(DueDay(d, due[i]) for i, d in enumerate(days)), overdue


def _retention(
    session: Session, deck_id: int, first: date, today: date, tz: tzinfo | None
) -> tuple[tuple[Retention, ...], Retention]:
    passing = case((ReviewLog.rating.in_(PASSING_RATINGS), 1), else_=0)
    seen_reviews = (
        select(func.count(), func.coalesce(func.sum(passing), 0))
        .select_from(ReviewLog)
        .join(Card, Card.id == ReviewLog.card_id)
        .where(Card.deck_id == deck_id, ReviewLog.was_new.is_(False))
    )
    total, passed = session.execute(seen_reviews).one()
    mondays = [_monday(first) + timedelta(days=7 * i) for i in range((today - first).days // 7 + 2)]
    mondays = [m for m in mondays if m <= today]
    edges = [_midnight(m, tz) for m in [*mondays, mondays[-1] + timedelta(days=7)]]
    counts = [[0, 0] for _ in mondays]
    rows = session.execute(
        select(_SLOT, func.count(), func.sum(passing))
        .join(Card, Card.id == ReviewLog.card_id)
        .where(
            Card.deck_id == deck_id,
            ReviewLog.was_new.is_(False),
            ReviewLog.reviewed_at >= edges[0],
            ReviewLog.reviewed_at < edges[-1],
        )
        .group_by(_SLOT)
    )
    for slot, n, ok in rows:
        i = _bucket(edges, _slot_start(slot))
        if 0 <= i < len(mondays):
            counts[i][0] += n
            counts[i][1] += ok
    weekly = tuple(Retention(n, p, week=m) for m, (n, p) in zip(mondays, counts, strict=True))
    return weekly, Retention(int(total), int(passed))


def _persona_names(session: Session, deck_id: int) -> dict[str, str]:
    """{key: name} of the deck's personas: cards name a persona by its key, people by
    its name."""
    rows = session.execute(select(Persona.key, Persona.name).where(Persona.deck_id == deck_id))
    return {key: name for key, name in rows if name}


def _coverage(
    rows: list[tuple[Attempt, str, str]], names: dict[str, str]
) -> tuple[PromptCoverage, ...]:
    by_card: dict[int, list[Attempt]] = defaultdict(list)
    info: dict[int, tuple[str, str]] = {}
    for attempt, persona, question in rows:
        by_card[attempt.card_id].append(attempt)
        info[attempt.card_id] = (persona, question)
    out = []
    for card_id, attempts in by_card.items():
        points = tuple(
            CoveragePoint(a.id, i, a.created_at, float(a.coverage))
            for i, a in enumerate(attempts, start=1)
        )
        persona, question = info[card_id]
        out.append(PromptCoverage(card_id, persona, question, points, names.get(persona, "")))
    # Most practised first: the lines worth looking at.
    out.sort(key=lambda c: (-len(c.points), c.card_id))
    return tuple(out)


def _key_points(result: dict[str, Any]) -> list[tuple[str, bool]]:
    out = []
    for kp in result.get("key_points") or []:
        if isinstance(kp, dict) and isinstance(kp.get("label"), str):
            out.append((kp["label"], bool(kp.get("met"))))
    return out


def _missed(attempts: Any, limit: int = MISSED_LIMIT) -> tuple[MissedPoint, ...]:
    missed: Counter[str] = Counter()
    assessed: Counter[str] = Counter()
    for attempt in attempts:
        for label, met in _key_points(attempt.result or {}):
            assessed[label] += 1
            if not met:
                missed[label] += 1
    ranked = sorted(missed.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return tuple(MissedPoint(label, n, assessed[label]) for label, n in ranked)


def _fillers_per_minute(attempt: Attempt) -> float | None:
    delivery = (attempt.result or {}).get("delivery") or {}
    fpm = delivery.get("fillers_per_minute")
    if isinstance(fpm, int | float):
        return float(fpm)
    duration = attempt.duration_s or delivery.get("duration_s")
    if isinstance(duration, int | float) and duration > 0:
        return attempt.filler_count / (duration / 60)
    return None


def _delivery_point(attempt: Attempt) -> DeliveryPoint | None:
    if attempt.wpm is None:
        return None  # a typed answer has no pace
    return DeliveryPoint(
        attempt.id,
        attempt.card_id,
        attempt.created_at,
        float(attempt.wpm),
        _fillers_per_minute(attempt),
    )


def _totals(
    session: Session,
    deck_id: int,
    window: tuple[DayReviews, ...],
    attempts: list[Attempt],
    delivery: tuple[DeliveryPoint, ...],
) -> Totals:
    kinds: dict[str, int] = {
        kind: n
        for kind, n in session.execute(
            select(Card.kind, func.count()).where(Card.deck_id == deck_id).group_by(Card.kind)
        )
    }
    seen = (
        session.scalar(
            select(func.count())
            .select_from(Card)
            .where(Card.deck_id == deck_id, Card.last_review.is_not(None))
        )
        or 0
    )
    reviews = (
        session.scalar(
            select(func.count())
            .select_from(ReviewLog)
            .join(Card, Card.id == ReviewLog.card_id)
            .where(Card.deck_id == deck_id)
        )
        or 0
    )
    recent = attempts[-RECENT_ATTEMPTS:]
    recent_wpm = [d.wpm for d in delivery[-RECENT_ATTEMPTS:]]
    return Totals(
        flashcards=kinds.get("flashcard", 0),
        roleplays=kinds.get("roleplay", 0),
        seen=seen,
        reviews=reviews,
        reviews_today=window[-1].count if window else 0,
        attempts=len(attempts),
        recent_coverage=fmean(float(a.coverage) for a in recent) if recent else None,
        recent_wpm=fmean(recent_wpm) if recent_wpm else None,
    )


# -- one card's attempts -------------------------------------------------------------------
@dataclass(frozen=True)
class AttemptRecord:
    id: int
    created_at: datetime
    transcript: str
    coverage: float
    met: tuple[str, ...]
    missed: tuple[str, ...]
    wpm: float | None
    fillers_per_minute: float | None
    filler_count: int
    duration_s: float | None
    rating: int | None
    engine: str
    audio_path: Path | None  # None when there is no recording or the file is gone

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created_at": self.created_at.isoformat(),
            "transcript": self.transcript,
            "coverage": round(self.coverage, 4),
            "met": list(self.met),
            "missed": list(self.missed),
            "wpm": self.wpm,
            "fillers_per_minute": self.fillers_per_minute,
            "filler_count": self.filler_count,
            "duration_s": self.duration_s,
            "rating": self.rating,
            "engine": self.engine,
            "audio_path": None if self.audio_path is None else str(self.audio_path),
        }


@dataclass(frozen=True)
class CardHistory:
    card_id: int
    persona: str  # the key, as in PromptCoverage
    question: str
    key_points: tuple[str, ...]
    attempts: tuple[AttemptRecord, ...]  # oldest first
    persona_name: str = ""

    @property
    def asked_by(self) -> str:
        """Who asks: "Priya (product manager)", or the key alone for an unnamed persona."""
        if self.persona_name and self.persona_name != self.persona:
            return f"{self.persona_name} ({self.persona})" if self.persona else self.persona_name
        return self.persona

    def to_json(self) -> dict[str, Any]:
        return {
            "card_id": self.card_id,
            "persona": self.persona,
            "persona_name": self.persona_name,
            "question": self.question,
            "key_points": list(self.key_points),
            "attempts": [a.to_json() for a in self.attempts],
        }


def card_history(session: Session, card_id: int, data_dir: Path | None = None) -> CardHistory:
    """Each attempt at one role-play with its transcript, scores and recording (if the
    file still exists; stored paths are resolved against ``data_dir``, by default the
    folder of the collection itself)."""
    card = session.get(Card, card_id)
    if card is None:
        raise NotFoundError(f"no card with id {card_id}")
    labels = tuple(
        session.scalars(
            select(KeyPointRow.label)
            .where(KeyPointRow.card_id == card_id)
            .order_by(KeyPointRow.position)
        )
    )
    records = []
    for a in session.scalars(
        select(Attempt).where(Attempt.card_id == card_id).order_by(Attempt.created_at, Attempt.id)
    ):
        points = _key_points(a.result or {})
        records.append(
            AttemptRecord(
                id=a.id,
                created_at=a.created_at,
                transcript=a.transcript,
                coverage=float(a.coverage),
                met=tuple(label for label, met in points if met),
                missed=tuple(label for label, met in points if not met),
                wpm=a.wpm,
                fillers_per_minute=_fillers_per_minute(a),
                filler_count=a.filler_count,
                duration_s=a.duration_s,
                rating=a.rating,
                engine=a.engine,
                audio_path=recording_of(session, a, data_dir),
            )
        )
    name = _persona_names(session, card.deck_id).get(card.persona_key, "")
    return CardHistory(
        card.id, card.persona_key, card.question, labels, tuple(records), persona_name=name
    )


def summary_lines(st: DeckStats) -> list[str]:
    """A few lines for ``parley stats`` without ``--json``."""
    t = st.totals

    def pct(v: float | None) -> str:
        return "–" if v is None else f"{v:.0%}"

    window = sum(d.count for d in st.reviews_per_day)
    active = sum(1 for d in st.reviews_per_day if d.count)
    due_tomorrow = st.due_forecast[1].due if len(st.due_forecast) > 1 else 0
    lines = [
        f"{st.deck}: {t.flashcards} flashcards, {t.roleplays} role-plays, {t.seen} seen",
        f"Reviews: {t.reviews_today} today, {window} in the last {st.days} days "
        f"(studied on {active} of them), {t.reviews} in all",
        f"Due: {st.due_forecast[0].due} today ({st.overdue} overdue), {due_tomorrow} tomorrow, "
        f"{sum(d.due for d in st.due_forecast)} in the next {len(st.due_forecast)} days",
        f"Retention (Good/Easy on seen cards): {pct(st.retention_overall.rate)} of "
        f"{st.retention_overall.reviews} reviews",
    ]
    if t.attempts:
        wpm = "–" if t.recent_wpm is None else f"{t.recent_wpm:.0f} wpm"
        lines.append(
            f"Role-plays: {t.attempts} attempts on {len(st.coverage)} prompts; last "
            f"{min(t.attempts, RECENT_ATTEMPTS)}: coverage {pct(t.recent_coverage)}, pace {wpm}"
        )
        if st.missed_key_points:
            top = st.missed_key_points[0]
            lines.append(f"Most missed key point: {top.label!r} ({top.missed} of {top.assessed})")
    else:
        lines.append("Role-plays: no attempts yet")
    return lines
