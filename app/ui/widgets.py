"""Small reusable widgets: the inline message banner, a level meter, page scaffolding."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)


class Banner(QFrame):
    """A message shown in place at the top of a page, with an optional action."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Banner")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        self.action = QPushButton()
        self.action.hide()
        layout.addWidget(self.action)
        close = QToolButton()
        close.setText("✕")
        close.setToolTip("Dismiss (Esc)")
        close.setAutoRaise(True)
        close.clicked.connect(self.hide)
        layout.addWidget(close)
        self._action_cb: Callable[[], None] | None = None
        self.action.clicked.connect(self._run_action)
        self._auto_hide = QTimer(self)
        self._auto_hide.setSingleShot(True)
        self._auto_hide.timeout.connect(self.hide)
        self.hide()

    def show_message(
        self,
        text: str,
        level: str = "error",
        action: tuple[str, Callable[[], None]] | None = None,
        timeout_ms: int = 0,
    ) -> None:
        self.setProperty("level", level)
        self.style().unpolish(self)
        self.style().polish(self)
        self.label.setText(text)
        if action:
            self.action.setText(action[0])
            self._action_cb = action[1]
            self.action.show()
        else:
            self._action_cb = None
            self.action.hide()
        self.show()
        if timeout_ms:
            self._auto_hide.start(timeout_ms)
        else:
            self._auto_hide.stop()

    def _run_action(self) -> None:
        if self._action_cb is not None:
            self.hide()
            self._action_cb()


class LevelMeter(QWidget):
    """A horizontal input-level bar (0..1) with a short peak hold."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._level = 0.0
        self._peak = 0.0
        self.setMinimumHeight(10)
        self.setMaximumHeight(14)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Input level")

    @property
    def level(self) -> float:
        return self._level

    def set_level(self, level: float) -> None:
        self._level = max(0.0, min(1.0, level))
        self._peak = max(self._level, self._peak * 0.92)
        self.update()

    def paintEvent(self, _event: object) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = self.rect().adjusted(0, 0, -1, -1)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.palette().mid().color().lighter(130))
        painter.drawRoundedRect(rect, 5, 5)
        width = int(rect.width() * self._level)
        if width > 0:
            colour = QColor("#3f9a5a") if self._level < 0.8 else QColor("#d9534f")
            painter.setBrush(colour)
            painter.drawRoundedRect(rect.adjusted(0, 0, width - rect.width(), 0), 5, 5)
        peak_x = int(rect.width() * self._peak)
        if peak_x > 2:
            painter.setBrush(self.palette().text().color())
            painter.drawRect(peak_x - 2, rect.top(), 2, rect.height())
        painter.end()


def title(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("PageTitle")
    return label


def subtle(text: str = "", wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setObjectName("Subtle")
    label.setWordWrap(wrap)
    return label


class EndPanel(QWidget):
    """The centred page a session ends on: a title, a line of text, and buttons."""

    def __init__(self, heading: str, buttons: list[QPushButton]) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.heading = QLabel(heading)
        self.heading.setObjectName("PageTitle")
        self.heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.heading)
        self.text = QLabel()
        self.text.setObjectName("Subtle")
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text.setWordWrap(True)
        layout.addWidget(self.text)
        row = QHBoxLayout()
        row.addStretch(1)
        for button in buttons:
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)


def card_frame() -> QFrame:
    frame = QFrame()
    frame.setObjectName("Card")
    return frame
