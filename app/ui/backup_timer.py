"""Backups while the app runs: an integrity check and a backup when the collection opens,
then a backup every half hour of use. The work runs on the DB worker, between other
database work, never on the GUI thread.

A damaged collection is never backed up (rotation would push the good backups out);
instead the window's banner offers to restore the last good one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from app.core import backups
from app.core.clock import utcnow
from app.model.paths import DB_FILENAME
from app.ui.backend import Backend

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

INTERVAL_MS = int(backups.BACKUP_INTERVAL.total_seconds() * 1000)


class BackupTimer(QObject):
    checked = Signal(object)  # None when the collection is sound, else the problem
    backed_up = Signal(object)  # the new backup's Path, or None when none was due
    corrupt = Signal(str)

    def __init__(self, backend: Backend, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(backend)
        self.backend = backend
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.tick)
        self._sound = False
        backend.store_ready.connect(self._store_ready)
        backend.store_failed.connect(self._store_failed)

    def _store_ready(self) -> None:
        backend = self.backend

        def work() -> tuple[str | None, Path | None]:
            store = backend.store()
            problem = backups.check_integrity(store.db_path)
            if problem is not None:
                return problem, None
            return None, backups.maybe_backup(store.db_path, store.data_dir, utcnow())

        backend.tasks.db(work, session=False, on_success=self._after_check)

    def _store_failed(self, _text: str) -> None:
        db_path = self.backend.data_dir / DB_FILENAME
        self.backend.tasks.db(
            lambda: backups.check_integrity(db_path),
            session=False,
            on_success=lambda problem: self._after_check((problem, None)),
        )

    def _after_check(self, outcome: tuple[str | None, Path | None]) -> None:
        problem, path = outcome
        self._sound = problem is None
        self.checked.emit(problem)
        if problem is not None:
            self.timer.stop()
            self.corrupt.emit(problem)
            return
        self.timer.start()
        self.backed_up.emit(path)

    def tick(self) -> None:
        if not self._sound or not self.backend.is_ready:
            return
        backend = self.backend

        def work() -> Path | None:
            store = backend.store()
            return backups.maybe_backup(store.db_path, store.data_dir, utcnow())

        backend.tasks.db(work, session=False, on_success=self.backed_up.emit)


def start_backup_timer(backend: Backend, window: MainWindow | None = None) -> BackupTimer:
    """Back up on start and every 30 minutes; with a window, show damage in its banner
    with a "Restore last good backup" button."""
    guard = BackupTimer(backend)
    if window is not None:
        from app.ui.restore_dialog import restore_latest_good

        def damaged(problem: str) -> None:
            window.banner.show_message(
                f"Your collection is damaged ({problem}). Your backups are safe.",
                "error",
                action=("Restore last good backup", lambda: restore_latest_good(window, backend)),
            )

        guard.corrupt.connect(damaged)
    return guard
