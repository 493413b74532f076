"""Runtime hook: a placeholder for PyAV, which the bundle leaves out.

``faster_whisper.audio`` runs ``import av`` at import time but only uses it to decode audio
files; Parley hands faster-whisper numpy arrays. Anything that does touch the placeholder
gets an ImportError that says why, instead of a crash at ``import faster_whisper``.
"""

import importlib.machinery
import importlib.util
import sys
import types


def _have_pyav() -> bool:
    if "av" in sys.modules:
        return True
    try:
        return importlib.util.find_spec("av") is not None
    except (ImportError, ValueError):
        return False


def _install_placeholder() -> None:
    if _have_pyav():
        return  # a bundle built with PyAV uses the real one

    class _NoPyAV(types.ModuleType):
        def __getattr__(self, name: str) -> object:
            if name.startswith("__"):
                raise AttributeError(name)
            raise ImportError(
                f"av.{name}: PyAV is not part of the Parley bundle; faster-whisper must be "
                "given audio as numpy arrays, not file names",
                name="av",
            )

    module = _NoPyAV("av", "Placeholder for PyAV, which this bundle does not carry.")
    module.__spec__ = importlib.machinery.ModuleSpec("av", None, origin="parley placeholder")
    sys.modules["av"] = module


_install_placeholder()
