"""A real main window over a fresh data dir, opened the way the app opens it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.ui.application import create_window
from app.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot: QtBot, data_dir: Path) -> Iterator[MainWindow]:
    win = create_window(data_dir)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.home.decks_shown, timeout=30_000):
        win.show()
    yield win
    win.close()
