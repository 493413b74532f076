"""Background work with results delivered on the GUI thread.

``Tasks.db(fn, ...)`` runs ``fn(session)`` on the one database worker thread, each call
in its own transaction, in submission order; ``Tasks.background(fn, ...)`` runs slow
non-database work (audio, recognition, model loading) on a small pool. Callbacks run on
the GUI thread, so they may touch widgets; worker code never does. A callback that
raises is a bug like any other: the user gets the bug message, the log the traceback.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal, Slot

from app.model.errors import KnownError
from app.ui import messages

T = TypeVar("T")

Success = Callable[[Any], None]
Failure = Callable[[BaseException], None]


class _Relay(QObject):
    """Lives on the GUI thread; a signal emitted from any thread lands here queued."""

    done = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        # Always queued, also when emitted on the GUI thread: a future that is already
        # done when its callback is attached runs that callback right away, in the
        # submitting thread, and the result must still wait for the event loop (the
        # caller may not have connected its signals yet).
        self.done.connect(self._run, Qt.ConnectionType.QueuedConnection)

    @Slot(object)
    def _run(self, call: Callable[[], None]) -> None:
        try:
            call()
        except Exception as exc:  # a bug in a callback: told, logged, and the loop goes on
            report_failure(exc)


def report_failure(exc: BaseException) -> None:
    """Default failure handler: known problems as a message, bugs with a crash report."""
    if isinstance(exc, KnownError):
        messages.error(str(exc))
    else:
        detail = "".join(traceback.format_exception(exc))
        messages.bug(f"Something went wrong ({type(exc).__name__}: {exc}).", detail)


class Tasks:
    def __init__(self, store_getter: Callable[[], Any] | None = None) -> None:
        self._relay = _Relay()
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parley-db")
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="parley-work")
        self._store_getter = store_getter
        self._closed = False

    def set_store_getter(self, getter: Callable[[], Any]) -> None:
        self._store_getter = getter

    def db(
        self,
        fn: Callable[..., T],
        *,
        on_success: Callable[[T], None] | None = None,
        on_failure: Failure | None = None,
        session: bool = True,
    ) -> Future[T]:
        """Run ``fn(session)`` (or ``fn()`` with ``session=False``) on the DB thread."""

        def work() -> T:
            if not session:
                return fn()
            assert self._store_getter is not None, "database used before the store opened"
            store = self._store_getter()
            with store.session() as s:
                return fn(s)

        return self._submit(self._db, work, on_success, on_failure)

    def background(
        self,
        fn: Callable[[], T],
        *,
        on_success: Callable[[T], None] | None = None,
        on_failure: Failure | None = None,
    ) -> Future[T]:
        return self._submit(self._pool, fn, on_success, on_failure)

    def _submit(
        self,
        executor: ThreadPoolExecutor,
        work: Callable[[], T],
        on_success: Callable[[T], None] | None,
        on_failure: Failure | None,
    ) -> Future[T]:
        return self.watch(executor.submit(work), on_success, on_failure)

    def watch(
        self,
        future: Future[T],
        on_success: Callable[[T], None] | None = None,
        on_failure: Failure | None = None,
    ) -> Future[T]:
        """Deliver the outcome of a future started elsewhere (TTS, model loading) on the
        GUI thread."""

        def finished(f: Future[T]) -> None:
            if self._closed or f.cancelled():
                return
            exc = f.exception()
            if exc is not None:
                handler = on_failure or report_failure
                self._relay.done.emit(lambda: handler(exc))
            elif on_success is not None:
                result = f.result()
                self._relay.done.emit(lambda: on_success(result))

        future.add_done_callback(finished)
        return future

    def call_on_gui(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the GUI thread (from any thread)."""
        if not self._closed:
            self._relay.done.emit(fn)

    def shutdown(self, wait: bool = True) -> None:
        self._closed = True
        self._pool.shutdown(wait=wait, cancel_futures=True)
        self._db.shutdown(wait=wait)
