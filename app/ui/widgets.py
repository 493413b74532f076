"""Small reusable widgets: the inline message banner, a level meter, page scaffolding,
and the one way text from decks and users reaches the screen.

Qt renders a label or tooltip as HTML whenever its text merely looks like HTML: a deck
named ``Nice deck <img src=/dev/zero>`` would make Qt read /dev/zero until it runs out of
memory, "What does the <b> tag do?" would lose its tag, and local images and
``javascript:`` links would render. So every label here is made by ``plain_label`` (or
``plain``): plain text, no links opened. Where markup is really wanted (highlights in a
transcript), the text is escaped with ``html.escape`` and only our own tags are added.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from itertools import pairwise

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QResizeEvent
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

from app.core.views import QueueCounts
from app.formats.mathjax import split_math


def plural(n: int, word: str, words: str = "") -> str:
    """ "1 card", "2 cards" (``words`` for a word that is not made plural by an s)."""
    return f"{n} {word if n == 1 else words or word + 's'}"


def tab_order(*widgets: QWidget) -> None:
    """Tab visits ``widgets`` in this order, one after the other. Qt's order is the
    order widgets were made in, so controls made later (one per key point of a result)
    would come after everything else on the page."""
    for first, second in pairwise(widgets):
        QWidget.setTabOrder(first, second)


def plain(label: QLabel) -> QLabel:
    """Makes ``label`` show its text exactly as written, never as HTML, and open no links."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setOpenExternalLinks(False)
    return label


def plain_label(text: str = "", name: str = "", wrap: bool = False) -> QLabel:
    """A label for any text, deck text included, shown literally.

    The format is set before the text: a label on AutoText parses HTML as soon as it is
    given some."""
    label = plain(QLabel())
    label.setText(text)
    if name:
        label.setObjectName(name)
    label.setWordWrap(wrap)
    return label


def set_card_text(label: QLabel, text: str) -> None:
    """Show a card's text on ``label`` as written, but for MathJax, whose source is set in
    a code style (see ``mathjax``). With maths the label takes rich text made here: every
    run of the card's text escaped, only our own ``<code>`` added."""
    runs = split_math(text)
    if not any(run.math for run in runs):
        plain(label).setText(text)
        return
    body = "".join(
        f"<code>{_escaped(run.text)}</code>" if run.math else _escaped(run.text) for run in runs
    )
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setOpenExternalLinks(False)
    label.setText(f"<p style='white-space:pre-wrap'>{body}</p>")


def _escaped(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def plain_tooltip(text: str) -> str:
    """A tooltip (or ``title`` attribute) that Qt shows literally. Tooltips are rich text
    whenever they look like HTML, so the text is escaped inside markup of our own."""
    body = html.escape(text).replace("\n", "<br>")
    return f"<p style='white-space:pre-wrap'>{body}</p>"


class Banner(QFrame):
    """A message shown in place at the top of a page, with an optional action."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Banner")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        # Messages quote deck names, file names and error text: plain.
        self.label = plain_label(wrap=True)
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


def describe_counts(counts: QueueCounts) -> str:
    """ "3 new · 1 learning · 8 due": what is left, in the home page's words."""
    return f"{counts.new} new · {counts.learning} learning · {counts.review} due"


def title(text: str) -> QLabel:
    return plain_label(text, "PageTitle")


def subtle(text: str = "", wrap: bool = True) -> QLabel:
    return plain_label(text, "Subtle", wrap)


class FullLabel(QLabel):
    """A wrapped label that is never clipped. A window takes its size from its layout's
    minimum sizes, and a wrapped label's minimum is one short line, so a long hint that
    arrives later (or a dialog at its first size) cut the text off mid-sentence. This one
    asks for the height its text needs at the width it was given."""

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        if self.wordWrap() and self.width() > 0:
            hint.setHeight(max(hint.height(), self.heightForWidth(self.width())))
        return hint

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()  # a new width, a new height: the layout asks again


def full_subtle(text: str = "") -> QLabel:
    """A subtle status line that shows in full, however long it wraps."""
    label = plain(FullLabel())
    label.setObjectName("Subtle")
    label.setWordWrap(True)
    label.setText(text)
    return label


class EndPanel(QWidget):
    """The centred page a session ends on: a title, a line of text, and buttons."""

    def __init__(self, heading: str, buttons: list[QPushButton]) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.heading = title(heading)
        self.heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.heading)
        self.text = subtle()
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
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
