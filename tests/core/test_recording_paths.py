"""A user moves the data folder, as the README advises, and every recording still plays.

Recordings inside the data dir are stored relative to it; the migration to 0005 converts
the absolute paths older versions stored."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

from app.core import db, services, stats
from app.core.attempts import recording_of
from app.core.store import Store
from app.model.deckdata import CardData, DeckData, KeyPoint
from app.model.paths import DB_FILENAME, recordings_dir

WAV = b"RIFF\x24\x00\x00\x00WAVEfmt "


def roleplay_deck() -> DeckData:
    return DeckData(
        name="Pitch",
        cards=[
            CardData(
                guid="why-rag", kind="roleplay", persona="client", question="Why RAG?",
                model_answer="Fresh data.", key_points=[KeyPoint("fresh", ["fresh"])],
            )
        ],
    )  # fmt: skip


def answer(store: Store, recording: Path | str | None) -> tuple[int, int]:
    """The user answers the role-play aloud; returns (card id, attempt id)."""
    with store.session() as s:
        services.import_deck(s, roleplay_deck())
        (card,) = services.list_cards(s, "Pitch")
        attempt_id = services.record_attempt(
            s,
            card.id,
            services.AttemptData(
                transcript="fresh data",
                coverage=1.0,
                result={},
                engine="test",
                audio_path=None if recording is None else str(recording),
            ),
        )
    return card.id, attempt_id


def stored_path(data_dir: Path, attempt_id: int) -> str | None:
    with closing(sqlite3.connect(data_dir / DB_FILENAME)) as conn:
        row = conn.execute("SELECT audio_path FROM attempt WHERE id = ?", (attempt_id,)).fetchone()
    path: str | None = row[0]
    return path


def record(data_dir: Path, name: str = "answer-1.wav") -> Path:
    wav = recordings_dir(data_dir) / name
    wav.parent.mkdir(parents=True, exist_ok=True)
    wav.write_bytes(WAV)
    return wav


def test_moving_the_data_folder_keeps_every_recording_playable(tmp_path: Path) -> None:
    old = tmp_path / "old" / "parley"
    store = Store.open(old, seed=False)
    card_id, attempt_id = answer(store, record(old))
    store.close()
    assert stored_path(old, attempt_id) == "recordings/answer-1.wav"

    new = tmp_path / "new-disk" / "parley"
    new.parent.mkdir()
    shutil.move(old, new)

    store = Store.open(new, seed=False)
    try:
        with store.session() as s:
            history = stats.card_history(s, card_id)  # resolved against the collection
            (attempt,) = services.attempts_for_card(s, card_id)
            again = recording_of(s, attempt)
        (shown,) = history.attempts
        assert shown.audio_path == recordings_dir(new) / "answer-1.wav"
        assert shown.audio_path.read_bytes() == WAV
        assert again == shown.audio_path
    finally:
        store.close()


def test_a_recording_kept_outside_the_data_folder_keeps_its_absolute_path(
    tmp_path: Path, data_dir: Path
) -> None:
    elsewhere = tmp_path / "my-recordings" / "take.wav"
    elsewhere.parent.mkdir()
    elsewhere.write_bytes(WAV)
    store = Store.open(data_dir, seed=False)
    try:
        card_id, attempt_id = answer(store, elsewhere)
        assert stored_path(data_dir, attempt_id) == str(elsewhere)
        with store.session() as s:
            (shown,) = stats.card_history(s, card_id, data_dir).attempts
        assert shown.audio_path == elsewhere
    finally:
        store.close()


def test_a_typed_answer_has_no_recording(data_dir: Path) -> None:
    store = Store.open(data_dir, seed=False)
    try:
        card_id, attempt_id = answer(store, None)
        assert stored_path(data_dir, attempt_id) is None
        with store.session() as s:
            (shown,) = stats.card_history(s, card_id).attempts
        assert shown.audio_path is None
    finally:
        store.close()


def collection_at_0004(data_dir: Path, audio_paths: dict[int, str]) -> None:
    """A collection written by the previous version: attempts with absolute paths."""
    data_dir.mkdir(parents=True, exist_ok=True)
    engine = db.make_engine(data_dir / DB_FILENAME)
    db.upgrade(engine, "0004")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO deck (id, name, description, created_at) "
            "VALUES (1, 'Old deck', '', '2025-01-01 00:00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO card (id, deck_id, guid, kind, position, front, back, persona_key, "
            "question, model_answer, media, created_at, updated_at, reps, lapses) VALUES "
            "(7, 1, 'g-7', 'roleplay', 0, '', '', 'client', 'Why?', 'Because.', '[]', "
            "'2025-01-01 00:00:00', '2025-01-01 00:00:00', 0, 0)"
        )
        for attempt_id, path in audio_paths.items():
            conn.exec_driver_sql(
                "INSERT INTO attempt (id, card_id, created_at, transcript, coverage, result, "
                "engine, audio_path) VALUES (?, 7, '2025-01-02 00:00:00', 'because', 0.5, "
                "'{}', 'whisper', ?)",
                (attempt_id, path),
            )
    engine.dispose()


def test_the_upgrade_converts_absolute_recording_paths_to_relative_ones(
    tmp_path: Path, data_dir: Path
) -> None:
    inside = record(data_dir, "inside.wav")
    elsewhere = tmp_path / "elsewhere.wav"
    elsewhere.write_bytes(WAV)
    collection_at_0004(data_dir, {1: str(inside), 2: str(elsewhere), 3: "bare.wav"})

    store = Store.open(data_dir, seed=False)
    try:
        assert db.current_revision(store.engine) == db.HEAD_REVISION
        assert stored_path(data_dir, 1) == "recordings/inside.wav"
        assert stored_path(data_dir, 2) == str(elsewhere)  # outside: left as it was
        assert stored_path(data_dir, 3) == "bare.wav"
    finally:
        store.close()


def test_a_folder_moved_before_the_upgrade_gets_its_recordings_back(tmp_path: Path) -> None:
    old = tmp_path / "old" / "parley"
    wav = record(old, "before-move.wav")
    collection_at_0004(old, {1: str(wav)})
    new = tmp_path / "new" / "parley"
    new.parent.mkdir()
    shutil.move(old, new)

    store = Store.open(new, seed=False)
    try:
        assert stored_path(new, 1) == "recordings/before-move.wav"
        with store.session() as s:
            (shown,) = stats.card_history(s, 7).attempts
        assert shown.audio_path == recordings_dir(new) / "before-move.wav"
    finally:
        store.close()


def test_the_downgrade_gives_back_absolute_paths(data_dir: Path) -> None:
    inside = record(data_dir, "inside.wav")
    collection_at_0004(data_dir, {1: str(inside)})
    engine = db.make_engine(data_dir / DB_FILENAME)
    try:
        db.upgrade(engine)
        assert stored_path(data_dir, 1) == "recordings/inside.wav"
        db.downgrade(engine, "0004")
        assert stored_path(data_dir, 1) == str(inside)
    finally:
        engine.dispose()
