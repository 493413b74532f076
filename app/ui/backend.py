"""What the windows call: the collection, settings and background tasks in one place.

The store opens on the DB worker while the window is being built, so start-up never waits
for SQLAlchemy, migrations or seeding. Every database call goes through ``tasks.db``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from app.core import disk
from app.model.settings import Settings, read_settings
from app.ui.tasks import Tasks

if TYPE_CHECKING:
    from app.core.store import Store
    from app.speech.microphone import AudioSource


class Backend(QObject):
    store_ready = Signal()
    store_failed = Signal(str)
    # Anything that changes cards or reviews: pages refresh their counts.
    collection_changed = Signal()
    settings_changed = Signal()

    def __init__(self, data_dir: Path) -> None:
        super().__init__()
        self.data_dir = data_dir
        read = read_settings(data_dir)
        self.settings = read.settings
        # What was reset or clamped on load, for the window to say once it is up.
        self.settings_problems = read.message()
        self.log_file: Path | None = None  # logs/parley.log once the GUI has started it
        # Where recordings come from; None: the system microphone. Tests and benches
        # put a scripted one here.
        self.audio_source: AudioSource | None = None
        self.tasks = Tasks()
        self._store: Store | None = None
        self.tasks.set_store_getter(self.store)

    def store(self) -> Store:
        if self._store is None:
            raise RuntimeError("the collection is not open yet")
        return self._store

    @property
    def is_ready(self) -> bool:
        return self._store is not None

    def open_store(self) -> None:
        def opened(store: Store) -> None:
            self._store = store
            self.store_ready.emit()

        def failed(exc: BaseException) -> None:
            self.store_failed.emit(str(exc))

        self.tasks.db(self._open, session=False, on_success=opened, on_failure=failed)

    def _open(self) -> Store:
        from app.core.store import Store  # imported on the DB worker, not at start-up

        return Store.open(self.data_dir)

    def reopen_store(
        self,
        before: Callable[[], Any] | None = None,
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Close the collection, run ``before()`` (say, restoring a backup) and open it
        again, all on the DB worker so no other database work runs in between. The store
        is reopened even when ``before`` fails; ``on_success`` gets what it returned."""

        def work() -> Any:
            old, self._store = self._store, None
            if old is not None:
                old.close()
            try:
                return before() if before is not None else None
            finally:
                self._store = self._open()

        def done(result: Any) -> None:
            self.store_ready.emit()
            self.collection_changed.emit()
            if on_success is not None:
                on_success(result)

        def failed(exc: BaseException) -> None:
            if self._store is None:
                self.store_failed.emit(str(exc))
            else:
                self.store_ready.emit()
            from app.ui.tasks import report_failure

            (on_failure or report_failure)(exc)

        self.tasks.db(work, session=False, on_success=done, on_failure=failed)

    def db(
        self,
        fn: Callable[[Any], Any],
        on_success: Callable[[Any], None] | None = None,
        *,
        changes: bool = False,
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Run ``fn(session)`` on the DB worker; ``changes=True`` tells every page to
        refresh once it has committed."""

        def done(result: Any) -> None:
            if on_success is not None:
                on_success(result)
            if changes:
                self.collection_changed.emit()

        self.tasks.db(fn, on_success=done, on_failure=on_failure)

    def save_settings(self, settings: Settings) -> None:
        self.settings = settings
        data_dir = self.data_dir

        def save() -> None:
            try:
                settings.save(data_dir)
            except OSError as exc:  # a full or read-only disk: say so, it is no bug
                raise disk.os_error(exc, data_dir) from exc

        # The DB worker is serial, so two quick saves can never land out of order.
        self.tasks.db(save, session=False)
        self.settings_changed.emit()

    def shutdown(self) -> None:
        self.tasks.shutdown(wait=True)
        if self._store is not None:
            self._store.close()
            self._store = None
