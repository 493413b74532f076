"""A row of widgets that becomes a column when the window is too narrow for it.

A plain box layout asks for the sum of its children's widths, so a two-column page
forces its window to stay wide (the rehearsal result once needed 1116 px). ``Reflow``
asks only for its widest child: it lays the children side by side when their preferred
widths fit and at least ``breakpoint`` pixels are there, and one above the other
otherwise.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QGridLayout, QWidget

ROW = QBoxLayout.Direction.LeftToRight
COLUMN = QBoxLayout.Direction.TopToBottom


class Reflow(QWidget):
    def __init__(self, breakpoint: int = 0, spacing: int = 12) -> None:
        super().__init__()
        self.breakpoint = breakpoint
        self.box = QBoxLayout(ROW, self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(spacing)

    def addWidget(self, widget: QWidget, stretch: int = 0) -> None:
        self.box.addWidget(widget, stretch)

    @property
    def side_by_side(self) -> bool:
        return self.box.direction() == ROW

    def _widths(self, preferred: bool = False) -> list[int]:
        items = (self.box.itemAt(i) for i in range(self.box.count()))
        return [
            (item.sizeHint() if preferred else item.minimumSize()).width()
            for item in items
            if item and not item.isEmpty()
        ]

    def _margins(self) -> int:
        m = self.box.contentsMargins()
        return m.left() + m.right()

    def row_width(self) -> int:
        """The width its children want side by side (a wrapped label would squeeze into
        its longest word, so preferred widths, not minimum ones)."""
        widths = self._widths(preferred=True)
        return sum(widths) + self.box.spacing() * max(0, len(widths) - 1) + self._margins()

    def minimumSizeHint(self) -> QSize:
        # The height is the current arrangement's; the width is what a column needs, so a
        # parent may always narrow this far (and a resize then makes it a column).
        return QSize(
            max(self._widths(), default=0) + self._margins(), super().minimumSizeHint().height()
        )

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.arrange(event.size().width())

    def arrange(self, width: int) -> None:
        fits = width >= max(self.breakpoint, self.row_width())
        direction = ROW if fits else COLUMN
        if self.box.direction() != direction:
            self.box.setDirection(direction)
            self.updateGeometry()  # a column is taller: the parent makes room (or scrolls)


class ReflowGrid(QWidget):
    """Widgets in rows of as many columns (one of ``counts``, widest first) as fit at
    ``column_width`` pixels each: six charts in three columns on a desktop, two at
    800 px, one on a narrow window, instead of labels squeezed to "…"."""

    def __init__(self, column_width: int, counts: tuple[int, ...] = (3, 2, 1), spacing: int = 10):
        super().__init__()
        self.column_width = column_width
        self.counts = counts
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(spacing)
        self.widgets: list[QWidget] = []
        self.columns = 0

    def addWidget(self, widget: QWidget) -> None:
        self.widgets.append(widget)
        self._place(self.columns or self.counts[0])

    def columns_for(self, width: int) -> int:
        spacing = self.grid.spacing()
        for count in self.counts:
            if count * self.column_width + (count - 1) * spacing <= width:
                return count
        return self.counts[-1]

    def minimumSizeHint(self) -> QSize:
        widest = max((w.minimumSizeHint().width() for w in self.widgets), default=0)
        return QSize(widest, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        columns = self.columns_for(event.size().width())
        if columns != self.columns:
            self._place(columns)
            self.updateGeometry()

    def _place(self, columns: int) -> None:
        for widget in self.widgets:
            self.grid.removeWidget(widget)
        for i, widget in enumerate(self.widgets):
            self.grid.addWidget(widget, i // columns, i % columns)
        for col in range(max(self.counts)):
            self.grid.setColumnStretch(col, 1 if col < columns else 0)
        self.columns = columns
