"""One message bridge for user-facing messages, callable from any thread.

Widgets subscribe to ``bridge()``; code anywhere calls ``info``/``error``/``bug``.
Messages are shown in place (status bar, inline banner), never as blocking pop-ups.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class MessageBridge(QObject):
    info_posted = Signal(str)
    error_posted = Signal(str)
    # A bug: a short message plus the details for a crash report.
    bug_posted = Signal(str, str)


_bridge: MessageBridge | None = None


def bridge() -> MessageBridge:
    """The process-wide bridge; create it on the GUI thread first (``application``)."""
    global _bridge
    if _bridge is None:
        _bridge = MessageBridge()
    return _bridge


def info(text: str) -> None:
    bridge().info_posted.emit(text)


def error(text: str) -> None:
    bridge().error_posted.emit(text)


def bug(text: str, detail: str) -> None:
    bridge().bug_posted.emit(text, detail)
