"""The study queue and a review with 100,000 cards in the collection.

A fresh data dir gets the real schema (``Store.open``: migrations and the built-in
deck), then one deck of 100,000 cards is bulk-inserted with SQLAlchemy Core: 30% new,
70% reviewed in the last four months, due within a year, 5% of them overdue by up to a
month (about 3,500 due now), with FSRS states and about 130,000 review logs, a few of
them new cards introduced today. No ANALYZE: users' collections have no statistics. Each
timing is one unit of work the way the GUI's DB worker runs it: ``store.session()``
(begin, the call, commit), with the arguments the GUI passes (Settings' default daily
limits: 20 new cards, 200 reviews). The baseline is ``SELECT 1`` through the same
machinery.
"""

from __future__ import annotations

import random
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.common import Figure, Stats, standalone, time_calls

BUDGET_MS = 5.0
CARDS = 100_000
DECK = "Bench 100k"
NEW_PER_DAY = 20  # Settings' defaults, which the GUI passes
REVIEWS_PER_DAY = 200


def build(data_dir: Path, cards: int = CARDS, seed: int = 7) -> Any:
    """The store over ``data_dir`` with ``cards`` bench cards added."""
    from sqlalchemy import insert, select

    from app.core import scheduling
    from app.core.clock import utcnow
    from app.core.models import Card, Deck, ReviewLog
    from app.core.store import Store

    rng = random.Random(seed)
    store = Store.open(data_dir)
    now = utcnow()
    template = scheduling.review(0, None, 3, now - timedelta(days=10)).state
    template = scheduling.review(0, template, 3, now - timedelta(days=5)).state
    with store.session() as s:
        deck = Deck(name=DECK, description="100,000 generated cards for the benchmarks")
        s.add(deck)
        s.flush()
        deck_id = deck.id
        first_id = (s.scalar(select(Card.id).order_by(Card.id.desc()).limit(1)) or 0) + 1
    card_rows, log_rows = [], []
    for i in range(cards):
        card_id = first_id + i
        row: dict[str, Any] = {
            "id": card_id,
            "deck_id": deck_id,
            "guid": f"bench-{i}",
            "kind": "roleplay" if i % 5 == 0 else "flashcard",
            "position": i,
            "front": f"Question {i}",
            "back": f"Answer {i}",
            "media": [],
            "created_at": now,
            "updated_at": now,
            "fsrs_state": None,
            "due": None,
            "last_review": None,
            "reps": 0,
            "lapses": 0,
        }
        if rng.random() < 0.7:
            last = now - timedelta(days=rng.uniform(1, 120))
            overdue = rng.random() < 0.05
            due = now + timedelta(days=-rng.uniform(0, 30) if overdue else rng.uniform(0, 365))
            state = dict(template, card_id=card_id, due=due.isoformat())
            state["last_review"] = last.isoformat()
            reps = rng.randint(1, 8)
            row.update(fsrs_state=state, due=due, last_review=last, reps=reps)
            for r in range(min(reps, 2)):
                log_rows.append(
                    {
                        "card_id": card_id,
                        "rating": rng.choice((1, 3, 3, 3, 4)),
                        "reviewed_at": last - timedelta(days=r * 7),
                        "was_new": r == min(reps, 2) - 1,
                        "state_before": None,
                        "state_after": state,
                        "due_after": due,
                    }
                )
        card_rows.append(row)
    # A few new cards introduced today, so the daily allowance query has work to do.
    for row in card_rows[:400:40]:
        log_rows.append(
            {
                "card_id": row["id"],
                "rating": 3,
                "reviewed_at": now - timedelta(minutes=5),
                "was_new": True,
                "state_before": None,
                "state_after": template,
                "due_after": now,
            }
        )
    with store.engine.begin() as conn:
        for start in range(0, len(card_rows), 10_000):
            conn.execute(insert(Card), card_rows[start : start + 10_000])
        for start in range(0, len(log_rows), 10_000):
            conn.execute(insert(ReviewLog), log_rows[start : start + 10_000])
    return store, deck_id


def due(s: Any, deck_id: int) -> list[int]:
    """The review page's queue, as it asks for it."""
    from app.core import services
    from app.core.clock import utcnow

    return services.due_queue(
        s, deck_id, utcnow(), NEW_PER_DAY, "flashcard", reviews_per_day=REVIEWS_PER_DAY
    )


def counts(s: Any, deck_id: int) -> object:
    """One deck's counts, as the home page's list_decks asks for them."""
    from app.core import services
    from app.core.clock import utcnow

    return services.queue_counts(s, deck_id, utcnow(), NEW_PER_DAY, reviews_per_day=REVIEWS_PER_DAY)


def query_plans(store: Any, deck_id: int) -> dict[str, list[str]]:
    """EXPLAIN QUERY PLAN of the statements the queue runs, as SQLite shows them."""
    from sqlalchemy import event

    seen: list[tuple[str, Any]] = []

    def capture(*args: Any) -> None:
        # SQLAlchemy's before_cursor_execute: conn, cursor, statement, parameters, ...
        statement, parameters = args[2], args[3]
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", capture)
    try:
        with store.session() as s:
            due(s, deck_id)
            counts(s, deck_id)
    finally:
        event.remove(store.engine, "before_cursor_execute", capture)
    plans = {}
    with store.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        for statement, parameters in seen:
            rows = raw.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
            plans[" ".join(statement.split())[:160]] = [str(r[-1]) for r in rows]
    return plans


def run(quick: bool = False) -> list[Figure]:
    from sqlalchemy import select, text

    from app.core import services
    from app.core.clock import utcnow
    from app.core.models import Card

    repeats = 30 if quick else 100
    with tempfile.TemporaryDirectory(prefix="parley-bench-db-") as tmp:
        store, deck_id = build(Path(tmp) / "data")
        try:
            with store.session() as s:
                due_ids = list(
                    s.scalars(
                        select(Card.id)
                        .where(Card.deck_id == deck_id, Card.due <= utcnow())
                        .where(Card.last_review.is_not(None))
                        .limit(repeats + 10)
                    )
                )
                queue_len = len(due(s, deck_id))

            def unit(fn: Any) -> Any:
                def call() -> object:
                    with store.session() as s:
                        return fn(s)

                return call

            pending = iter(due_ids)

            def review(s: Any) -> object:
                return services.review_card(s, next(pending), 3, utcnow())

            def home(s: Any) -> object:
                return services.list_decks(s, utcnow(), NEW_PER_DAY, REVIEWS_PER_DAY)

            cases: list[tuple[str, Any, int, bool]] = [
                ("due_queue (the due-card query)", unit(lambda s: due(s, deck_id)), repeats, True),
                ("queue_counts", unit(lambda s: counts(s, deck_id)), repeats, True),
                ("review_card, committed", unit(review), repeats, True),
                ("list_decks (home page)", unit(home), 10, False),
                (
                    "review page load: due_queue + get_cards",
                    unit(lambda s: services.get_cards(s, due(s, deck_id))),
                    5,
                    False,
                ),
            ]
            baseline = time_calls(unit(lambda s: s.execute(text("SELECT 1")).scalar()), repeats)
            results = [(name, time_calls(call, n), budget) for name, call, n, budget in cases]
            plans = query_plans(store, deck_id)
        finally:
            store.close()
    figures = []
    for name, stats, budgeted in results:
        figures.append(_figure(name, stats, baseline, budgeted, {"queue_length": queue_len}))
    figures[0].detail["query_plans"] = plans
    return figures


def _figure(
    name: str, stats: Stats, baseline: Stats, budgeted: bool, extra: dict[str, Any]
) -> Figure:
    return Figure(
        bench="db",
        name=f"{name}, median" if budgeted else name,
        value=stats.median * 1000,
        unit="ms",
        budget=BUDGET_MS if budgeted else None,
        baseline=baseline.median * 1000,
        baseline_name="SELECT 1",
        cpu=(stats.cpu_median or 0) * 1000,
        detail={**stats.summary_ms(), **extra, "baseline": baseline.summary_ms()},
    )


if __name__ == "__main__":
    standalone(run)
