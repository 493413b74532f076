"""Light, dark or follow-the-system, applied to the whole application.

Qt's colour-scheme hint only works where a desktop platform theme honours it (not on a
bare X11 session, Wayland without a portal, or offscreen), so the theme is applied the
way that works everywhere: the Fusion style, an explicit palette, and the stylesheet,
whose colours all come from ``palette(...)``. "system" picks the palette from what the
platform reports, light when it reports nothing.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from app.model.settings import THEMES as THEMES  # the names settings accept

Role = QPalette.ColorRole
Group = QPalette.ColorGroup

# Role -> (light, dark). Contrast of text on its background is at least 4.5:1 in both.
COLOURS: dict[QPalette.ColorRole, tuple[str, str]] = {
    Role.Window: ("#f4f5f7", "#1e2126"),
    Role.WindowText: ("#1d2025", "#e6e8eb"),
    Role.Base: ("#ffffff", "#272b31"),
    Role.AlternateBase: ("#eef0f3", "#2e333a"),
    Role.Text: ("#1d2025", "#e6e8eb"),
    Role.Button: ("#ffffff", "#31363e"),
    Role.ButtonText: ("#1d2025", "#e6e8eb"),
    Role.BrightText: ("#ffffff", "#ffffff"),
    Role.Highlight: ("#2563c4", "#4f8fe6"),
    Role.HighlightedText: ("#ffffff", "#0d1117"),
    Role.ToolTipBase: ("#ffffff", "#31363e"),
    Role.ToolTipText: ("#1d2025", "#e6e8eb"),
    Role.PlaceholderText: ("#5f6670", "#a3aab4"),
    Role.Link: ("#1f5bb8", "#8ab4f8"),
    Role.LinkVisited: ("#6b3fb5", "#c5a3f5"),
    Role.Light: ("#ffffff", "#454b55"),
    Role.Midlight: ("#e3e6ea", "#3a3f47"),
    Role.Mid: ("#c3c8cf", "#4a5059"),
    Role.Dark: ("#9aa1ab", "#15171b"),
    Role.Shadow: ("#6b7280", "#000000"),
}
# Disabled text: readable but clearly not active.
DISABLED: dict[QPalette.ColorRole, tuple[str, str]] = {
    Role.WindowText: ("#8a9099", "#7d848e"),
    Role.Text: ("#8a9099", "#7d848e"),
    Role.ButtonText: ("#8a9099", "#7d848e"),
    Role.HighlightedText: ("#f0f0f0", "#c0c4ca"),
}


def resolved(theme: str, app: QApplication | None = None) -> str:
    """ "light" or "dark": what ``theme`` means here and now."""
    if theme in ("light", "dark"):
        return theme
    app = app or _app()
    return "dark" if app.styleHints().colorScheme() == Qt.ColorScheme.Dark else "light"


def palette(dark: bool) -> QPalette:
    pal = QPalette()
    index = 1 if dark else 0
    for role, colours in COLOURS.items():
        pal.setColor(role, QColor(colours[index]))
    for role, colours in DISABLED.items():
        pal.setColor(Group.Disabled, role, QColor(colours[index]))
    return pal


def apply_theme(app: QApplication, theme: str) -> None:
    hints = app.styleHints()
    # Where the platform honours it, native title bars and dialogs follow along.
    if theme == "dark":
        hints.setColorScheme(Qt.ColorScheme.Dark)
    elif theme == "light":
        hints.setColorScheme(Qt.ColorScheme.Light)
    else:
        hints.unsetColorScheme()
    app.setStyle("Fusion")
    app.setPalette(palette(resolved(theme, app) == "dark"))
    app.setStyleSheet(stylesheet())


def _app() -> QApplication:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return app


def stylesheet() -> str:
    """The sheet, its ``@styles/`` images pointed at the folder they ship in: Qt reads a
    relative url() from the working directory, not from the sheet's folder."""
    styles = resources.files("resources") / "styles"
    sheet = (styles / "parley.qss").read_text(encoding="utf-8")
    return sheet.replace("url(@styles/", f"url({Path(str(styles)).as_posix()}/")
