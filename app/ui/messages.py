"""One message bridge for user-facing messages, callable from any thread.

The window calls ``bridge().listen(...)``; code anywhere calls ``info``/``error``/``bug``.
Messages are shown in place (status bar, inline banner), never as blocking pop-ups.
Whatever is posted before anyone listens (a damaged settings file read while the window
is being built, a worker failing during start-up) is held and handed to the first
listener, so no message is lost. Errors and bugs also go to the log, bugs with their
details.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)


class MessageBridge(QObject):
    info_posted = Signal(str)
    error_posted = Signal(str)
    # A bug: a short message plus the details for a crash report.
    bug_posted = Signal(str, str)

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        # Posted before the first listener; None once someone listens.
        self._held: list[tuple[str, tuple[str, ...]]] | None = []

    def post(self, kind: str, *args: str) -> None:
        """Emits ``<kind>_posted`` (``kind`` is info, error or bug), or holds it while
        nobody listens yet."""
        with self._lock:
            if self._held is not None:
                self._held.append((kind, args))
                return
        getattr(self, f"{kind}_posted").emit(*args)

    def listen(
        self,
        info: Callable[[str], None],
        error: Callable[[str], None],
        bug: Callable[[str, str], None],
    ) -> None:
        """Connects a listener (pass bound methods: Qt drops the connections when their
        object is destroyed) and, for the first one, delivers what was held. Call on the
        GUI thread."""
        self.info_posted.connect(info)
        self.error_posted.connect(error)
        self.bug_posted.connect(bug)
        with self._lock:
            held, self._held = self._held or [], None
        for kind, args in held:
            getattr(self, f"{kind}_posted").emit(*args)

    @property
    def holding(self) -> int:
        """How many messages wait for a listener."""
        with self._lock:
            return len(self._held or [])


_bridge: MessageBridge | None = None
_bridge_lock = threading.Lock()


def bridge() -> MessageBridge:
    """The process-wide bridge; create it on the GUI thread first (``application``)."""
    global _bridge
    with _bridge_lock:
        if _bridge is None:
            _bridge = MessageBridge()
        return _bridge


def info(text: str) -> None:
    bridge().post("info", text)


def error(text: str) -> None:
    log.warning("told the user: %s", text)
    bridge().post("error", text)


def bug(text: str, detail: str) -> None:
    log.error("%s\n%s", text, detail)
    bridge().post("bug", text, detail)
