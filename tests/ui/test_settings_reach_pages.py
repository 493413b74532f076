"""A user changes a setting in the middle of something: the page in front of them
follows at once, without leaving it and coming back."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QComboBox
from pytestqt.qtbot import QtBot

from app.ui.main_window import MainWindow
from app.ui.settings_dialog import SettingsDialog
from app.ui.theme import apply_theme

WAIT = 20_000


def change_settings(
    qtbot: QtBot, window: MainWindow, edit: Callable[[SettingsDialog], object]
) -> None:
    """Open the settings dialog, ``edit`` it, Save."""
    dialog = SettingsDialog(window.backend, window)
    qtbot.addWidget(dialog)
    edit(dialog)
    with qtbot.waitSignal(window.backend.settings_changed, timeout=WAIT):
        dialog.apply()
    dialog.stop_meter()


def choose(combo: QComboBox, value: str) -> None:
    index = combo.findData(value)
    assert index >= 0, f"{value!r} is not offered"
    combo.setCurrentIndex(index)


@pytest.fixture
def light_afterwards() -> Iterator[None]:
    """The theme is the whole application's: put it back for the tests that follow."""
    yield
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, "light")


def test_lowering_the_new_card_limit_mid_review_shrinks_what_is_left_at_once(
    qtbot: QtBot, window: MainWindow
) -> None:
    qtbot.keyClick(window.home.list, Qt.Key.Key_R)
    page = window.review
    qtbot.waitUntil(lambda: page.current is not None, timeout=WAIT)
    assert page.progress_label.text() == "20 new · 0 learning · 0 due"
    shown = page.current

    change_settings(qtbot, window, lambda d: d.new_per_day.setValue(3))

    qtbot.waitUntil(
        lambda: page.progress_label.text() == "3 new · 0 learning · 0 due", timeout=WAIT
    )
    assert page.current is shown  # the card in front of the user stays
    assert len(page.queue) == 2


def test_mid_rehearsal_the_limit_the_hands_free_box_and_the_engine_follow_the_settings(
    qtbot: QtBot, quiet_window: MainWindow
) -> None:
    window = quiet_window
    page = window.rehearsal
    with qtbot.waitSignal(page.question_shown, timeout=WAIT):
        qtbot.keyClick(window.home.list, Qt.Key.Key_P)
    qtbot.waitUntil(lambda: page.engine_choice is not None, timeout=30_000)
    assert page.progress_label.text().startswith("10 new")
    assert not page.hands_free.isChecked()
    shown = page.current

    def fewer_and_hands_free(dialog: SettingsDialog) -> None:
        dialog.roleplay_new_per_day.setValue(2)
        dialog.hands_free.setChecked(True)

    change_settings(qtbot, window, fewer_and_hands_free)
    qtbot.waitUntil(lambda: page.progress_label.text().startswith("2 new"), timeout=WAIT)
    assert page.hands_free.isChecked()
    assert page.current is shown

    # Vosk, with no Vosk model on this machine: the page says so before the user speaks.
    change_settings(qtbot, window, lambda d: choose(d.engine, "vosk"))
    qtbot.waitUntil(lambda: page.engine_choice is None, timeout=WAIT)
    assert page.engine_label.text() == "No speech engine: type your answers."
    assert "No Vosk model was found" in page.banner.label.text()


def test_switching_to_dark_redraws_the_open_statistics_in_dark_colours(
    qtbot: QtBot, window: MainWindow, light_afterwards: None
) -> None:
    stats = window.stats
    with qtbot.waitSignal(stats.loaded, timeout=WAIT):
        qtbot.keyClick(window.home.list, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    axes = stats.chart("forecast").axes()
    assert axes, "the forecast is drawn with axes even before any review"
    before = axes[0].labelsColor()

    with qtbot.waitSignal(stats.loaded, timeout=WAIT):
        change_settings(qtbot, window, lambda d: choose(d.theme, "dark"))

    text = stats.palette().color(QPalette.ColorRole.WindowText)
    assert text.lightness() > 200 and text != before
    assert all(axis.labelsColor() == text for axis in stats.chart("forecast").axes())
