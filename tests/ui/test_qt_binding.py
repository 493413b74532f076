"""The Qt binding itself must survive a long session: PySide6 6.12.0 dropped a reference
to True on every Python-side emit and to None on every void call, and CPython aborted
after a few thousand (a recording emits levels and captions many times a second)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QObject, Signal


class _Ticker(QObject):
    tick = Signal(float)


def test_many_emits_and_event_loop_turns_keep_reference_counts(qapp: QCoreApplication) -> None:
    ticker = _Ticker()
    received: list[float] = []
    ticker.tick.connect(received.append)
    true_before, none_before = sys.getrefcount(True), sys.getrefcount(None)
    for i in range(3000):
        ticker.tick.emit(i / 3000)
        qapp.processEvents()
    assert len(received) == 3000
    # A handful of references may come and go with other threads; thousands may not.
    assert abs(sys.getrefcount(True) - true_before) < 100
    assert abs(sys.getrefcount(None) - none_before) < 100
