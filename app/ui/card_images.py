"""The images of one side of a card, as images: never deck HTML.

A card names its image files (``CardView.images``, ``back_images``); they are read from
the data dir's media folder only, by file name, so nothing remote or elsewhere on disk
is ever loaded. Decoding happens on the background pool (a photo from a shared deck can
take a while) into a ``QImage``, which is safe off the GUI thread; the GUI thread only
turns it into a pixmap. A large image is decoded at the size it is shown at, so a
crafted huge one cannot use up memory.
"""

from __future__ import annotations

import functools
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QImageReader, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from app.ui.tasks import Tasks
from app.ui.widgets import plain_label

# Big enough to read a diagram, small enough that the card text and buttons stay in sight.
MAX_IMAGE_SIZE = QSize(640, 320)


def shown_size(size: QSize, bounds: QSize = MAX_IMAGE_SIZE) -> QSize:
    """``size`` scaled down (never up) to fit ``bounds``, keeping its proportions."""
    if size.width() <= bounds.width() and size.height() <= bounds.height():
        return QSize(size)
    return size.scaled(bounds, Qt.AspectRatioMode.KeepAspectRatio)


def load_image(folder: Path, name: str) -> QImage | str:
    """The image ``name`` from ``folder``, at most ``MAX_IMAGE_SIZE``; or why not."""
    if not name or Path(name).name != name:
        return f"image {name!r} is not a media file name"
    path = folder / name
    if not path.is_file():
        return f"image {name} is missing from the media folder"
    reader = QImageReader(str(path))
    size = reader.size()
    if size.isValid():
        reader.setScaledSize(shown_size(size))
    image = reader.read()
    if image.isNull():
        return f"image {name} cannot be shown ({reader.errorString()})"
    return image


class CardImages(QWidget):
    """A row of images; ``show_files`` replaces them, loading in the background."""

    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 4, 0, 4)
        self.labels: list[QLabel] = []
        self._generation = 0  # a load for a card no longer shown is dropped
        self.hide()

    def show_files(self, folder: Path, names: list[str]) -> None:
        self._generation += 1
        while (item := self._layout.takeAt(0)) is not None:
            if (widget := item.widget()) is not None:
                widget.deleteLater()
        self.labels = []
        if not names:
            self.hide()
            return
        self._layout.addStretch(1)
        for index, name in enumerate(names):
            label = plain_label(wrap=True)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setAccessibleName(f"Image {name}")
            self._layout.insertWidget(index + 1, label)
            self.labels.append(label)
            self.tasks.background(
                functools.partial(load_image, folder, name),
                on_success=functools.partial(self._loaded, self._generation, index),
            )
        self._layout.addStretch(1)
        self.show()

    def pixmaps(self) -> list[QPixmap]:
        """The images shown so far (one per loaded file), in order."""
        return [label.pixmap() for label in self.labels if not label.pixmap().isNull()]

    def _loaded(self, generation: int, index: int, image: QImage | str) -> None:
        if generation != self._generation:
            return
        label = self.labels[index]
        if isinstance(image, str):
            label.setObjectName("Subtle")
            label.setText(image)
        else:
            label.setPixmap(QPixmap.fromImage(image))
