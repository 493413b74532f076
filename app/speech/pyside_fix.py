"""Works around a PySide6 6.12.0 reference-counting bug that crashes long sessions.

In PySide6 6.12.0 ``SignalInstance.emit()`` and a successful ``disconnect()`` return
``True`` without the reference they owe the caller, so every call made from Python
costs ``True`` one reference. After a few thousand (a recording emits a level and a
caption several times a second) the count reaches zero and CPython aborts with "Fatal
Python error: bool_dealloc". Signals emitted from C++ are not affected.

``install()`` checks whether the running PySide6 has the bug and, only then, wraps the
two methods to give the missing reference back, so a fixed PySide6 is left untouched.
It is process-wide and idempotent; the speech modules that emit from Python install it
on import, and the app should call it once at start-up.
"""

from __future__ import annotations

import ctypes
import sys
import threading
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

_lock = threading.Lock()
_state: dict[str, bool] = {}
_PROBES = 64


class _Probe(QObject):
    ping = Signal()


def emit_loses_a_reference() -> bool:
    """True when this PySide6 has the bug (measured, not guessed from the version)."""
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(_PROBES):
        probe.ping.emit()
    lost = before - sys.getrefcount(True)
    # Other threads may touch True meanwhile; the bug loses one per call.
    return lost >= _PROBES // 2


def install() -> bool:
    """Applies the workaround if needed; returns whether it is active."""
    with _lock:
        if "active" not in _state:
            _state["active"] = emit_loses_a_reference()
            if _state["active"]:
                _patch()
        return _state["active"]


def _patch() -> None:
    incref = ctypes.pythonapi.Py_IncRef
    incref.argtypes = [ctypes.py_object]
    incref.restype = None
    original_emit = SignalInstance.emit
    original_disconnect = SignalInstance.disconnect

    def emit(self: SignalInstance, *args: Any) -> Any:
        result = original_emit(self, *args)
        incref(result)  # the reference PySide6 6.12.0 forgot to take
        return result

    def disconnect(self: SignalInstance, *args: Any) -> Any:
        result = original_disconnect(self, *args)
        if isinstance(result, bool):
            incref(result)
        return result

    SignalInstance.emit = emit  # type: ignore[method-assign]
    SignalInstance.disconnect = disconnect  # type: ignore[method-assign, assignment]
