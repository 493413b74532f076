"""The one-time panel for a first run without a Vosk model: keep the built-in engine,
or install a Vosk model from a .zip downloaded beforehand. Nothing is downloaded."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from app.ui.backend import Backend
from app.ui.widgets import subtle

EXPLANATION = (
    "Parley recognises speech on this computer, with no internet connection. It comes "
    "with PocketSphinx, which works right away. A Vosk model recognises English more "
    "accurately: if you downloaded one beforehand (for example "
    "vosk-model-small-en-us-0.15.zip, about 40 MB) you can install it from the .zip now, "
    "or any time in Settings."
)


class FirstRunPanel(QFrame):
    """Sits at the top of the home page until the user picks one of the two choices."""

    install_requested = Signal()

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend
        self.setObjectName("Card")
        inner = QVBoxLayout(self)
        inner.setContentsMargins(20, 16, 20, 16)
        heading = QLabel("Speech recognition, offline")
        heading.setObjectName("SectionTitle")
        inner.addWidget(heading)
        inner.addWidget(subtle(EXPLANATION))
        row = QHBoxLayout()
        row.addStretch(1)
        self.keep = QPushButton("Keep the built-in engine")
        self.keep.clicked.connect(self.dismiss)
        self.install = QPushButton("Install a Vosk model from .zip…")
        self.install.setObjectName("Primary")
        self.install.clicked.connect(self._install)
        row.addWidget(self.keep)
        row.addWidget(self.install)
        inner.addLayout(row)
        self.hide()

    def check(self) -> None:
        """Offer the choice once, and only when no English Vosk model is found."""
        if self.backend.settings.first_run_done:
            return
        from app.speech.vosk_models import candidates  # light: no engine is loaded

        data_dir, explicit = self.backend.data_dir, self.backend.settings.vosk_model or None

        def english_model_found() -> bool:
            return any(m.valid and m.english for m in candidates(data_dir, explicit))

        self.backend.tasks.background(
            english_model_found,
            on_success=lambda found: None if found else self.show(),
            on_failure=lambda _exc: self.show(),
        )

    def dismiss(self) -> None:
        self.hide()
        self.backend.save_settings(replace(self.backend.settings, first_run_done=True))

    def _install(self) -> None:
        self.dismiss()
        self.install_requested.emit()
