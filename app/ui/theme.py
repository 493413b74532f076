"""Light, dark or follow-the-system, applied to the whole application."""

from __future__ import annotations

from importlib import resources

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

THEMES = ("system", "light", "dark")


def apply_theme(app: QApplication, theme: str) -> None:
    hints = app.styleHints()
    if theme == "dark":
        hints.setColorScheme(Qt.ColorScheme.Dark)
    elif theme == "light":
        hints.setColorScheme(Qt.ColorScheme.Light)
    else:
        hints.unsetColorScheme()
    app.setStyleSheet(stylesheet())


def stylesheet() -> str:
    return (resources.files("resources") / "styles" / "parley.qss").read_text(encoding="utf-8")
