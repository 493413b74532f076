"""File dialogs that open where the user last was.

Every open, save and folder dialog starts in the folder last chosen in any of them
(``Settings.last_folder``), so importing a second deck from the same download folder, or
installing a model next to it, takes no navigating; a start-up later it is still there.
A cancelled dialog remembers nothing. The ``QFileDialog`` statics are the seam tests patch.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from app.ui.backend import Backend

ZIP_FILTER = "Zip archives (*.zip)"


def open_file(parent: QWidget, backend: Backend, caption: str, filters: str) -> Path | None:
    path, _filter = QFileDialog.getOpenFileName(parent, caption, start_folder(backend), filters)
    return _chosen(backend, path)


def save_file(
    parent: QWidget, backend: Backend, caption: str, file_name: str, filters: str
) -> Path | None:
    suggested = str(Path(start_folder(backend)) / file_name)
    path, _filter = QFileDialog.getSaveFileName(parent, caption, suggested, filters)
    return _chosen(backend, path)


def choose_folder(parent: QWidget, backend: Backend, caption: str) -> Path | None:
    path = QFileDialog.getExistingDirectory(parent, caption, start_folder(backend))
    return _chosen(backend, path)


def start_folder(backend: Backend) -> str:
    """The last folder used, while it still exists; else the home folder."""
    last = backend.settings.last_folder
    return last if last and Path(last).is_dir() else str(Path.home())


def _chosen(backend: Backend, path: str) -> Path | None:
    if not path:
        return None
    chosen = Path(path)
    # For a chosen folder too the parent is where to come back to: a model folder's
    # siblings are the other models.
    remembered = str(chosen.parent)
    if remembered != backend.settings.last_folder:
        backend.save_settings(replace(backend.settings, last_folder=remembered))
    return chosen
