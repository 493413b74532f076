"""Settings: voice and rate (with a test), recognition engine and models (install
from a .zip with progress), microphone with a live meter, theme, daily limits."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QIODevice
from PySide6.QtMultimedia import QAudioFormat, QAudioSource
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.model.errors import KnownError
from app.model.settings import Settings, as_engine, as_theme
from app.ui import file_dialogs
from app.ui.backend import Backend
from app.ui.theme import THEMES, apply_theme
from app.ui.widgets import LevelMeter, full_subtle

if TYPE_CHECKING:
    from app.speech.models import ModelInfo

TEST_SENTENCE = "Retrieval keeps answers current; fine-tuning shapes how the model behaves."


class SettingsDialog(QDialog):
    def __init__(self, backend: Backend, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.setWindowTitle("Settings")
        self.setMinimumWidth(560)
        self.original = backend.settings
        s = backend.settings
        layout = QVBoxLayout(self)
        tabs = self.tabs = QTabWidget()
        layout.addWidget(tabs)

        # Speech output
        speech = QWidget()
        form = QFormLayout(speech)
        self.voice = QComboBox()
        self.voice.addItem("Default voice", "")
        self.voice.setToolTip("The voice that reads questions and model answers")
        form.addRow("Voice", self.voice)
        self.rate = QSpinBox()
        self.rate.setRange(80, 400)
        self.rate.setSuffix(" words/min")
        self.rate.setValue(s.tts_rate)
        form.addRow("Rate", self.rate)
        test_row = QHBoxLayout()
        self.test_voice = QPushButton("Test voice")
        self.test_voice.setToolTip("Hear the chosen voice and rate (Ctrl+T)")
        self.test_voice.setShortcut("Ctrl+T")
        self.test_voice.clicked.connect(self._test_voice)
        test_row.addWidget(self.test_voice)
        test_row.addStretch(1)
        form.addRow("", test_row)
        self.speak_questions = QCheckBox("Read each question aloud when it appears")
        self.speak_questions.setChecked(s.speak_questions)
        form.addRow("", self.speak_questions)
        self.hands_free = QCheckBox("Hands-free: after each result, ask the next question")
        self.hands_free.setChecked(s.hands_free)
        form.addRow("", self.hands_free)
        tabs.addTab(speech, "&Voice")

        # Recognition
        recog = QWidget()
        form = QFormLayout(recog)
        from app.speech.engines import ENGINES

        self.engine = QComboBox()
        self.engine.addItem("Automatic (the first engine with an English model)", "auto")
        for spec in ENGINES:
            self.engine.addItem(spec.label, spec.name)
        self.engine.setCurrentIndex(max(0, self.engine.findData(s.engine)))
        self.engine.currentIndexChanged.connect(self._describe_engine)
        form.addRow("Engine", self.engine)
        # One model field per engine of the registry; empty searches the usual places.
        self.model_fields: dict[str, QLineEdit] = {}
        chosen = s.engine_models()
        for spec in ENGINES:
            model_row = QHBoxLayout()
            field = QLineEdit(chosen.get(spec.name, ""))
            field.setPlaceholderText("Search the usual places")
            field.editingFinished.connect(self._describe_engine)
            model_row.addWidget(field, 1)
            browse = QPushButton("Choose folder…")
            browse.clicked.connect(lambda _=False, name=spec.name: self._choose_model_dir(name))
            model_row.addWidget(browse)
            form.addRow(f"{spec.label} model", model_row)
            self.model_fields[spec.name] = field
        install_row = QHBoxLayout()
        self.install_button = QPushButton("Install model from .zip…")
        self.install_button.setToolTip(
            "A Vosk model .zip, or a faster-whisper (CTranslate2) model in a .zip"
        )
        self.install_button.clicked.connect(self._install_zip)
        install_row.addWidget(self.install_button)
        self.install_progress = QProgressBar()
        self.install_progress.hide()
        install_row.addWidget(self.install_progress, 1)
        form.addRow("", install_row)
        self.engine_status = full_subtle()
        form.addRow("", self.engine_status)
        tabs.addTab(recog, "&Recognition")

        # Microphone
        mic = QWidget()
        form = QFormLayout(mic)
        self.device = QComboBox()
        self.device.addItem("System default", "")
        from app.speech.microphone import input_devices

        for device in input_devices():  # stored by id: descriptions need not be unique
            self.device.addItem(device.description, device.id)
        self.device.setCurrentIndex(max(0, self.device.findData(s.input_device)))
        self.device.currentIndexChanged.connect(self._restart_meter)
        form.addRow("Microphone", self.device)
        self.meter = LevelMeter()
        form.addRow("Level", self.meter)
        self.mic_status = full_subtle()
        form.addRow("", self.mic_status)
        tabs.addTab(mic, "&Microphone")

        # General
        general = QWidget()
        form = QFormLayout(general)
        self.theme = QComboBox()
        for theme in THEMES:
            self.theme.addItem(theme.capitalize(), theme)
        self.theme.setCurrentIndex(max(0, self.theme.findData(s.theme)))
        form.addRow("Theme", self.theme)
        # Each kind has its own limits: a role-play takes minutes, a flashcard seconds.
        self.new_per_day = self._count_box(9999, s.new_per_day)
        form.addRow("New flashcards a day", self.new_per_day)
        self.reviews_per_day = self._count_box(99999, s.reviews_per_day)
        form.addRow("Flashcard reviews a day", self.reviews_per_day)
        self.roleplay_new_per_day = self._count_box(9999, s.roleplay_new_per_day)
        form.addRow("New role-plays a day", self.roleplay_new_per_day)
        self.roleplay_reviews_per_day = self._count_box(99999, s.roleplay_reviews_per_day)
        form.addRow("Role-play reviews a day", self.roleplay_reviews_per_day)
        tabs.addTab(general, "&General")

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self._source: QAudioSource | None = None
        self._io: QIODevice | None = None
        self._load_voices()
        self._restart_meter()
        self._describe_engine()

    # -- values -------------------------------------------------------------------------
    def chosen_settings(self) -> Settings:
        # From the current settings, not the ones it opened with: a file dialog inside
        # this one may have changed the last folder since.
        return replace(
            self.backend.settings,
            tts_voice=str(self.voice.currentData() or ""),
            tts_rate=self.rate.value(),
            speak_questions=self.speak_questions.isChecked(),
            hands_free=self.hands_free.isChecked(),
            engine=as_engine(self.engine.currentData()),
            whisper_model=self.model_fields["whisper"].text().strip(),
            vosk_model=self.model_fields["vosk"].text().strip(),
            input_device=str(self.device.currentData() or ""),
            theme=as_theme(self.theme.currentData()),
            new_per_day=self.new_per_day.value(),
            reviews_per_day=self.reviews_per_day.value(),
            roleplay_new_per_day=self.roleplay_new_per_day.value(),
            roleplay_reviews_per_day=self.roleplay_reviews_per_day.value(),
        )

    @staticmethod
    def _count_box(top: int, value: int) -> QSpinBox:
        box = QSpinBox()
        box.setRange(0, top)
        box.setValue(value)
        return box

    @classmethod
    def edit(cls, parent: QWidget, backend: Backend, install_zip: Path | None = None) -> bool:
        """Show the dialog; on Save, store and apply the settings. The one seam tests
        patch instead of clicking through a modal dialog. ``install_zip`` opens it on the
        recognition tab, already installing that model."""
        dialog = cls(backend, parent)
        if install_zip is not None:
            dialog.tabs.setCurrentIndex(1)
            dialog.install_from(install_zip)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            dialog.apply()
            return True
        finally:
            dialog.stop_meter()

    def apply(self) -> None:
        settings = self.chosen_settings()
        from PySide6.QtWidgets import QApplication

        # The theme first: pages that redraw on settings_changed then draw in its colours.
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, settings.theme)
        self.backend.save_settings(settings)

    # -- voices ---------------------------------------------------------------------------
    def _load_voices(self) -> None:
        from app.speech.tts import Voice, english_first, list_voices

        wanted = self.original.tts_voice

        def fill(voices: list[Voice]) -> None:
            ordered = english_first(voices)
            for i, v in enumerate(ordered):
                if i and ordered[i - 1].english and not v.english:
                    self.voice.insertSeparator(self.voice.count())
                langs = f" ({', '.join(v.languages[:2])})" if v.languages else ""
                self.voice.addItem(f"{v.name}{langs}", v.id)
            self.voice.setCurrentIndex(max(0, self.voice.findData(wanted)))

        self.backend.tasks.watch(
            list_voices(), fill, lambda exc: self.voice.setToolTip(f"No voices: {exc}")
        )

    def _test_voice(self) -> None:
        from app.model.paths import tts_cache_dir
        from app.speech.playback import Player
        from app.speech.tts import Speaker

        speaker = Speaker(
            tts_cache_dir(self.backend.data_dir),
            str(self.voice.currentData() or ""),
            self.rate.value(),
        )
        if not hasattr(self, "_player"):
            self._player = Player(self)
        self.test_voice.setEnabled(False)

        def play(path: Path) -> None:
            self.test_voice.setEnabled(True)
            self._player.play(path)

        def failed(exc: BaseException) -> None:
            self.test_voice.setEnabled(True)
            self.test_voice.setToolTip(str(exc))

        self.backend.tasks.watch(speaker.render(TEST_SENTENCE), play, failed)

    # -- recognition ----------------------------------------------------------------------
    def _describe_engine(self) -> None:
        from app.speech.engines import choose_engine

        data_dir = self.backend.data_dir
        engine = str(self.engine.currentData())
        models = {name: field.text().strip() for name, field in self.model_fields.items()}
        self.backend.tasks.background(
            lambda: choose_engine(data_dir, engine, models=models, gui=True),
            on_success=lambda choice: self.engine_status.setText(choice.message),
            on_failure=lambda exc: self.engine_status.setText(str(exc)),
        )

    def _choose_model_dir(self, engine: str) -> None:
        if folder := file_dialogs.choose_folder(self, self.backend, "Choose a model folder"):
            self.model_fields[engine].setText(str(folder))
            self._describe_engine()

    def _install_zip(self) -> None:
        if path := file_dialogs.open_file(
            self, self.backend, "Install a speech model", file_dialogs.ZIP_FILTER
        ):
            self.install_from(path)

    def install_from(self, zip_path: Path) -> None:
        from app.speech.model_install import install_model_zip

        self.install_button.setEnabled(False)
        self.install_progress.setRange(0, 0)
        self.install_progress.show()
        tasks = self.backend.tasks

        def progress(done: int, total: int) -> None:
            tasks.call_on_gui(lambda: self._show_progress(done, total))

        def installed(model: ModelInfo) -> None:
            self.install_button.setEnabled(True)
            self.install_progress.hide()
            self.engine_status.setText(f"Installed {model.path}.")
            self._describe_engine()

        def failed(exc: BaseException) -> None:
            self.install_button.setEnabled(True)
            self.install_progress.hide()
            self.engine_status.setText(str(exc))

        data_dir = self.backend.data_dir
        tasks.background(
            lambda: install_model_zip(zip_path, data_dir, progress),
            on_success=installed,
            on_failure=failed,
        )

    def _show_progress(self, done: int, total: int) -> None:
        self.install_progress.setRange(0, max(1, total // 1024))
        self.install_progress.setValue(done // 1024)

    # -- microphone meter -------------------------------------------------------------------
    def _restart_meter(self) -> None:
        """A live level for the chosen microphone. Only RMS of small chunks runs here."""
        self.stop_meter()
        from app.speech.audio import level
        from app.speech.microphone import find_device

        try:
            device = find_device(str(self.device.currentData() or ""))
        except KnownError as err:
            self.mic_status.setText(str(err))
            return
        fmt = QAudioFormat()
        fmt.setSampleRate(16000)
        fmt.setChannelCount(1)
        fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
        if not device.isFormatSupported(fmt):
            self.mic_status.setText(f"{device.description()}: level shown when recording.")
            return
        self._source = QAudioSource(device, fmt, self)
        self._io = self._source.start()
        self.mic_status.setText(f"Listening to {device.description()}")

        def read() -> None:
            if self._io is not None:
                data = bytes(self._io.readAll().data())
                if data:
                    self.meter.set_level(level(data))

        self._io.readyRead.connect(read)

    def stop_meter(self) -> None:
        if self._source is not None:
            self._source.stop()
            self._source.deleteLater()
        self._source, self._io = None, None

    def done(self, result: int) -> None:
        self.stop_meter()
        super().done(result)
