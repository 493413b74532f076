"""Keeps PyAV out of the Whisper decoder process until something really uses it.

``faster_whisper.audio`` imports PyAV (``av``, with its own FFmpeg libraries) when
faster-whisper is imported, but uses it only to read audio files. The decoder process is
handed numpy arrays and never reads a file, yet the import alone costs it 18 MiB of
resident memory, a twentieth of the whole app's budget. Before faster-whisper is
imported, ``defer_pyav()`` puts a stand-in under the name ``av``: the first attribute
anything asks of it imports the real PyAV and answers from it, so behaviour is the same,
only later. (``importlib.util.LazyLoader`` does not help here: the import statement
itself reads the module's ``__spec__``, which makes it load at once.)

The frozen bundle leaves PyAV out altogether and installs its own placeholder at start
(``packaging/hooks/rthook_no_av.py``); that one is kept.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import sys
import types


class _DeferredPyAV(types.ModuleType):
    def __getattr__(self, name: str) -> object:
        if name.startswith("__"):  # the import machinery's questions need no PyAV
            raise AttributeError(name)
        if sys.modules.get("av") is self:
            del sys.modules["av"]
        real = importlib.import_module("av")
        return getattr(real, name)


def defer_pyav() -> bool:
    """Installs the stand-in unless ``av`` is imported already (or is the bundle's
    placeholder) or not installed at all; True if it did."""
    if "av" in sys.modules:
        return False
    try:
        spec = importlib.util.find_spec("av")
    except (ImportError, ValueError):
        return False
    if spec is None:
        return False
    module = _DeferredPyAV("av", "PyAV, imported when first used.")
    module.__spec__ = importlib.machinery.ModuleSpec("av", None, origin="deferred by parley")
    sys.modules["av"] = module
    return True
