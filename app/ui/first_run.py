"""The one-time panel of a first run: which engine listens, and how to add a model
from a .zip downloaded beforehand (nothing is ever downloaded). Built from the engine
registry, so a new engine's install hint shows up here by itself."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout

from app.ui.backend import Backend
from app.ui.widgets import plain_label, subtle

EXPLANATION = (
    "Parley recognises speech on this computer, with no internet connection. It comes "
    "with Whisper's tiny.en model, which works right away. If you downloaded a larger "
    "model beforehand (a faster-whisper model such as small.en, or a Vosk model such as "
    "vosk-model-en-us-0.22) you can install it from its .zip now, or any time in Settings."
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
        inner.addWidget(plain_label("Speech recognition, offline", "SectionTitle"))
        inner.addWidget(subtle(EXPLANATION))
        row = QHBoxLayout()
        row.addStretch(1)
        self.keep = QPushButton("Keep the built-in engine")
        self.keep.clicked.connect(self.dismiss)
        self.install = QPushButton("Install a model from .zip…")
        self.install.setObjectName("Primary")
        # The window asks for the file and dismisses the panel only once one was chosen.
        self.install.clicked.connect(self.install_requested)
        row.addWidget(self.keep)
        row.addWidget(self.install)
        inner.addLayout(row)
        self.hide()

    def check(self) -> None:
        """Offer the choice once, on the first run."""
        if not self.backend.settings.first_run_done:
            self.show()

    def dismiss(self) -> None:
        self.hide()
        self.backend.save_settings(replace(self.backend.settings, first_run_done=True))
