"""Shared fixtures. Qt runs offscreen; every test gets its own data dir."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pulse_mic import make_pulse_fixtures

if TYPE_CHECKING:
    from app.core.store import Store

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# One private PulseAudio server for the session (started only when a test needs Qt or
# the microphone), so speech and UI tests share the virtual microphone ``vmic``.
pulse_server, pulse_mic = make_pulse_fixtures()


@pytest.fixture(scope="session", autouse=True)
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Derived files (the Whisper model's int8 copy) go to a folder of the session's,
    never the user's cache. Set before any decoder process starts, which inherits it."""
    path = tmp_path_factory.mktemp("cache")
    os.environ["PARLEY_CACHE_DIR"] = str(path)
    return path


@pytest.fixture(scope="session")
def qapp_cls(pulse_server: object) -> type:
    """The virtual microphone must exist before Qt's audio backend first connects."""
    from PySide6.QtWidgets import QApplication

    return QApplication


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty data dir that every command and the app will use."""
    path = tmp_path / "data"
    monkeypatch.setenv("PARLEY_DATA_DIR", str(path))
    return path


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    from app.core.store import Store

    s = Store.open(data_dir)
    yield s
    s.close()
