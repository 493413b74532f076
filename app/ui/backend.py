"""What the windows call: the collection, settings and background tasks in one place.

The store opens on the DB worker after the window is shown, so start-up never waits for
migrations or seeding. Every database call goes through ``tasks.db``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.core.settings import Settings
from app.core.store import Store
from app.ui.tasks import Tasks


class Backend(QObject):
    store_ready = Signal()
    store_failed = Signal(str)
    # Anything that changes cards or reviews: pages refresh their counts.
    collection_changed = Signal()
    settings_changed = Signal()

    def __init__(self, data_dir: Path) -> None:
        super().__init__()
        self.data_dir = data_dir
        self.settings = Settings.load(data_dir)
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

        self.tasks.db(
            lambda: Store.open(self.data_dir), session=False, on_success=opened, on_failure=failed
        )

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
        # The DB worker is serial, so two quick saves can never land out of order.
        self.tasks.db(lambda: settings.save(data_dir), session=False)
        self.settings_changed.emit()

    def shutdown(self) -> None:
        self.tasks.shutdown(wait=True)
        if self._store is not None:
            self._store.close()
            self._store = None
