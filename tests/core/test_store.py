"""Opening a collection: where it lives, how SQLite is configured, what it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.store import Store
from app.model.errors import KnownError
from app.model.paths import resolve_data_dir


def test_data_dir_option_beats_environment_which_beats_platform_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARLEY_DATA_DIR", str(tmp_path / "from-env"))
    assert resolve_data_dir(str(tmp_path / "from-option")) == tmp_path / "from-option"
    assert resolve_data_dir(None) == tmp_path / "from-env"
    monkeypatch.delenv("PARLEY_DATA_DIR")
    assert "parley" in str(resolve_data_dir(None)).lower()


def test_a_new_collection_is_one_sqlite_file_with_wal_and_foreign_keys(store: Store) -> None:
    assert store.db_path.is_file()
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_foreign_keys_are_enforced(store: Store) -> None:
    from sqlalchemy.exc import IntegrityError

    from app.core.clock import utcnow
    from app.core.models import ReviewLog

    with pytest.raises(IntegrityError), store.session() as s:
        s.add(
            ReviewLog(
                card_id=999_999, rating=3, reviewed_at=utcnow(), state_after={}, due_after=utcnow()
            )
        )


def test_a_file_that_is_not_sqlite_is_refused_by_name(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "collection.sqlite3").write_bytes(b"this is not a database at all, honest")
    with pytest.raises(KnownError, match=r"collection\.sqlite3: not a Parley collection"):
        Store.open(data_dir)
