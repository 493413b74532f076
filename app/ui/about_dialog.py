"""Help → About: the version, and where the data folder and the log file are, so a user
asked for details of a problem can find them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.ui.widgets import plain_label, subtle, title


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None, data_dir: Path, log_file: Path | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Parley")
        layout = QVBoxLayout(self)
        layout.addWidget(title(f"Parley {__version__}"))
        layout.addWidget(subtle("Rehearse spoken technical explanations, offline."))
        layout.addSpacing(8)
        layout.addWidget(subtle("Data folder"))
        self.data_dir_label = self._path_label(str(data_dir))
        layout.addWidget(self.data_dir_label)
        layout.addWidget(subtle("Log file (attach it to a bug report)"))
        self.log_label = self._path_label(
            str(log_file) if log_file else "No log file: the data folder cannot be written."
        )
        layout.addWidget(self.log_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_log = buttons.addButton("Copy log path", QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_log.setEnabled(log_file is not None)
        self.copy_log.clicked.connect(lambda: QApplication.clipboard().setText(str(log_file)))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    @staticmethod
    def _path_label(text: str) -> QLabel:
        label = plain_label(text, wrap=True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    @classmethod
    def show_for(cls, parent: QWidget, data_dir: Path, log_file: Path | None) -> AboutDialog:
        """Opens the dialog without blocking (window-modal) and returns it."""
        dialog = cls(parent, data_dir, log_file)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog
