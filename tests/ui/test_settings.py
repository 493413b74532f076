"""Settings: what the user chooses is saved and comes back the next time."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.model.settings import Settings
from app.ui.application import create_window
from app.ui.main_window import MainWindow
from app.ui.settings_dialog import SettingsDialog

from pulse_mic import PulseMic


def test_settings_persist_across_runs(qtbot: QtBot, window: MainWindow, data_dir: Path) -> None:
    dialog = SettingsDialog(window.backend, window)
    qtbot.addWidget(dialog)
    dialog.rate.setValue(210)
    dialog.speak_questions.setChecked(False)
    dialog.hands_free.setChecked(True)
    dialog.engine.setCurrentIndex(dialog.engine.findData("vosk"))
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    dialog.new_per_day.setValue(7)
    dialog.reviews_per_day.setValue(90)
    dialog.apply()
    dialog.stop_meter()

    # Saved on the DB worker; wait for the file, then read it as a new run would.
    qtbot.waitUntil(lambda: Settings.load(data_dir).new_per_day == 7, timeout=5_000)
    saved = Settings.load(data_dir)
    assert (saved.tts_rate, saved.speak_questions, saved.hands_free) == (210, False, True)
    assert (saved.engine, saved.theme, saved.reviews_per_day) == ("vosk", "dark", 90)

    reopened = SettingsDialog(window.backend, window)
    qtbot.addWidget(reopened)
    assert reopened.rate.value() == 210 and reopened.new_per_day.value() == 7
    assert reopened.theme.currentData() == "dark"
    reopened.stop_meter()


@pytest.mark.pulse
def test_the_microphone_tab_lists_the_virtual_microphone_with_a_live_meter(
    qtbot: QtBot,
    window: MainWindow,
    pulse_mic: PulseMic,
    tmp_path: Path,
) -> None:
    import subprocess

    dialog = SettingsDialog(window.backend, window)
    qtbot.addWidget(dialog)
    assert dialog.device.findData("vmic") > 0, "the virtual microphone is listed by its id"
    dialog.device.setCurrentIndex(dialog.device.findData("vmic"))
    assert "vmic" in dialog.mic_status.text() or "Remapped" in dialog.mic_status.text()
    tone = tmp_path / "tone.wav"
    subprocess.run(
        ["sox", "-n", "-r", "16000", "-c", "1", str(tone), "synth", "2", "sine", "440"], check=True
    )
    player = pulse_mic.play(tone)
    qtbot.waitUntil(lambda: dialog.meter.level > 0.05, timeout=10_000)
    player.communicate()
    dialog.stop_meter()


def test_lowering_the_daily_new_card_limit_updates_the_home_page_counts(
    qtbot: QtBot, window: MainWindow
) -> None:
    home = window.home
    deck = home.decks[0].name
    before = next(d for d in home.decks if d.name == deck).flashcard_queue.new
    assert before > 2, "the built-in deck starts with more new cards than the new limit"
    dialog = SettingsDialog(window.backend, window)
    qtbot.addWidget(dialog)
    dialog.new_per_day.setValue(2)
    with qtbot.waitSignal(home.decks_shown, timeout=10_000):
        dialog.apply()
    dialog.stop_meter()
    assert next(d for d in home.decks if d.name == deck).flashcard_queue.new == 2
    row = home.deck_row(deck)
    counts = row.findChild(QLabel, "Counts") if row is not None else None
    assert counts is not None and "<b>2</b> new" in counts.text()


def test_a_hand_edited_settings_file_with_unknown_names_opens_with_a_message_naming_it(
    qtbot: QtBot, data_dir: Path
) -> None:
    data_dir.mkdir(parents=True)
    settings_file = data_dir / "settings.json"
    written = '{"engine": "pocketsphinx", "theme": "neon", "new_per_day": 3}'
    settings_file.write_text(written, encoding="utf-8")
    window = create_window(data_dir)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.home.decks_shown, timeout=30_000):
        window.show()
    qtbot.waitUntil(window.banner.isVisible, timeout=10_000)
    shown = window.banner.label.text()
    assert str(settings_file) in shown
    assert 'engine "pocketsphinx" is not one of auto, whisper, vosk; using "auto"' in shown
    assert 'theme "neon" is not one of system, light, dark; using "system"' in shown

    dialog = SettingsDialog(window.backend, window)
    qtbot.addWidget(dialog)
    assert dialog.engine.currentData() == "auto" and dialog.theme.currentData() == "system"
    assert dialog.new_per_day.value() == 3  # the good value next to them is kept
    dialog.stop_meter()
    assert settings_file.read_text(encoding="utf-8") == written  # until the user saves
    window.close()


def test_english_voices_come_first_in_the_voice_list(qtbot: QtBot, window: MainWindow) -> None:
    dialog = SettingsDialog(window.backend, window)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.voice.count() > 10, timeout=20_000)
    dialog.stop_meter()
    voices = [dialog.voice.itemText(i) for i in range(1, dialog.voice.count())]
    # Each voice is shown with its language, "English (America) (en-us)"; "" is the
    # separator between the English voices and the rest.
    english = [bool(re.search(r"\((en|en-[^)]*)\)$", text)) for text in voices]
    first_other = english.index(False)
    assert first_other > 0 and voices[0].startswith("English"), voices[:3]
    assert voices[first_other] == "", "a separator ends the English voices"
    assert not any(english[first_other:]), "no English voice further down the list"


def test_the_engine_hint_shows_in_full_and_speaks_of_the_window_not_the_command_line(
    qtbot: QtBot, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.speech.vosk_models import MODEL_ENV

    monkeypatch.delenv(MODEL_ENV, raising=False)
    data_dir.mkdir(parents=True)
    Settings(engine="vosk", first_run_done=True).save(data_dir)  # and no Vosk model anywhere
    window = create_window(data_dir)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.home.decks_shown, timeout=30_000):
        window.show()
    dialog = SettingsDialog(window.backend, window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.tabs.setCurrentIndex(1)
    status = dialog.engine_status
    qtbot.waitUntil(lambda: "No Vosk model" in status.text(), timeout=10_000)
    assert "Install model from .zip" in status.text()
    assert "parley " not in status.text(), "no command-line advice in the window"
    qtbot.waitUntil(lambda: status.height() >= status.heightForWidth(status.width()), timeout=5_000)
    assert status.heightForWidth(status.width()) > 3 * status.fontMetrics().height()
    bottom = status.mapTo(dialog, status.rect().bottomLeft()).y()
    assert bottom <= dialog.buttons.geometry().top(), "the hint ends above the buttons"
    dialog.stop_meter()
    window.close()
