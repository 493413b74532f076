"""Migrations: an old collection with rows in it upgrades without losing them."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import inspect

from app.core import db
from app.core.models import Base
from app.core.store import Store


def test_a_database_at_the_first_revision_upgrades_with_its_rows_intact(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    engine = db.make_engine(data_dir / "collection.sqlite3")
    db.upgrade(engine, "0001")
    result = {"coverage": 0.5, "delivery": {"wpm": 131.5, "fillers": {"um": 2, "like": 1}}}
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO deck (id, name, description, created_at) "
            "VALUES (1, 'Old deck', 'kept', '2025-01-01 00:00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO card (id, deck_id, guid, kind, position, front, back, persona_key, "
            "question, model_answer, media, created_at, updated_at, reps, lapses) VALUES "
            "(7, 1, 'g-7', 'roleplay', 0, '', '', 'client', 'Why?', 'Because.', '[]', "
            "'2025-01-01 00:00:00', '2025-01-01 00:00:00', 0, 0)"
        )
        conn.exec_driver_sql(
            "INSERT INTO attempt (id, card_id, created_at, transcript, coverage, result, engine) "
            "VALUES (3, 7, '2025-01-02 00:00:00', 'because', 0.5, ?, 'pocketsphinx')",
            (json.dumps(result),),
        )
    assert db.current_revision(engine) == "0001"
    engine.dispose()

    store = Store.open(data_dir)
    try:
        assert db.current_revision(store.engine) == db.HEAD_REVISION
        with store.engine.connect() as conn:
            deck = conn.exec_driver_sql("SELECT name, description FROM deck WHERE id=1").one()
            card = conn.exec_driver_sql("SELECT guid, question FROM card WHERE id=7").one()
            attempt = conn.exec_driver_sql(
                "SELECT transcript, coverage, wpm, filler_count, rating FROM attempt WHERE id=3"
            ).one()
        assert tuple(deck) == ("Old deck", "kept")
        assert tuple(card) == ("g-7", "Why?")
        # The new stats columns are filled from the old result JSON.
        assert tuple(attempt) == ("because", 0.5, 131.5, 3, None)
    finally:
        store.close()


def test_the_migrated_schema_matches_the_models(store: Store) -> None:
    inspector = inspect(store.engine)
    for table in Base.metadata.sorted_tables:
        db_columns = {c["name"] for c in inspector.get_columns(table.name)}
        assert db_columns == {c.name for c in table.columns}, table.name


def test_head_revision_constant_is_the_real_head() -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(db.alembic_config())
    assert script.get_current_head() == db.HEAD_REVISION


def test_images_stored_before_sides_were_kept_stay_on_the_front(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    engine = db.make_engine(data_dir / "collection.sqlite3")
    db.upgrade(engine, "0008")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO deck (id, name, description, created_at, glossary) "
            "VALUES (1, 'Flags', '', '2026-01-01 00:00:00', '{}')"
        )
        conn.exec_driver_sql(
            "INSERT INTO card (id, deck_id, guid, kind, position, front, back, persona_key, "
            "question, model_answer, media, created_at, updated_at, reps, lapses, images) "
            "VALUES (1, 1, 'g-1', 'flashcard', 0, 'Whose flag?', 'Japan', '', '', '', '[]', "
            "'2026-01-01 00:00:00', '2026-01-01 00:00:00', 0, 0, '[\"flag.png\", \"map.png\"]')"
        )
    engine.dispose()

    store = Store.open(data_dir)
    try:
        with store.session() as s:
            from app.core import services

            (card,) = services.list_cards(s, "Flags")
        # Which side each came from was never stored: review shows them with the question.
        assert (card.images, card.back_images) == (["flag.png", "map.png"], [])
    finally:
        store.close()
