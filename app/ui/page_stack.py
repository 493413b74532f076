"""The window's pages, each in a scroll area, so any page fits any window.

A page that needs more room than the window has scrolls instead of forcing the window
to stay large (the window once refused to shrink below 1050×702). Callers deal in pages:
``addWidget``, ``setCurrentWidget`` and ``currentWidget`` take and give the pages, never
their scroll areas.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QStackedWidget, QWidget


class PageStack(QStackedWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scrolls: dict[int, QScrollArea] = {}

    def addWidget(self, page: QWidget) -> int:
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setWidget(page)
        self._scrolls[id(page)] = scroll
        return super().addWidget(scroll)

    def scroll_area(self, page: QWidget) -> QScrollArea:
        return self._scrolls[id(page)]

    def setCurrentWidget(self, page: QWidget) -> None:
        super().setCurrentWidget(self._scrolls.get(id(page), page))

    def currentWidget(self) -> QWidget | None:
        scroll = super().currentWidget()
        page = scroll.widget() if isinstance(scroll, QScrollArea) else None
        return page or scroll
