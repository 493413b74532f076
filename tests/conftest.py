"""Shared fixtures. Qt runs offscreen; every test gets its own data dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty data dir that every command and the app will use."""
    path = tmp_path / "data"
    monkeypatch.setenv("PARLEY_DATA_DIR", str(path))
    return path


@pytest.fixture
def store(data_dir: Path):  # type: ignore[no-untyped-def]
    from app.core.store import Store

    s = Store.open(data_dir)
    yield s
    s.close()
