"""Speech models on disk, and the one cache that holds them loaded.

Every engine finds its models the same way (an explicit folder, an environment
variable, the data dir's ``models/``, then what ships with the app) and describes each
as a ``ModelInfo``. Loading takes from a fraction of a second (Whisper tiny.en) to
several seconds (a large Vosk model) and tens to hundreds of MB, so a model is loaded
once per folder, on one background thread, and shared by every recording.
"""

from __future__ import annotations

import atexit
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class ModelInfo:
    path: Path
    source: str  # where it was found: setting, env, data dir, bundled, package
    engine: str = ""
    language: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def english(self) -> bool:
        return self.language == "en"

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file())

    def to_json(self) -> dict[str, object]:
        return {
            "engine": self.engine,
            "name": self.path.name,
            "path": str(self.path),
            "source": self.source,
            "language": self.language,
            "valid": self.valid,
            "problems": self.problems,
            "size_bytes": self.size_bytes() if self.path.is_dir() else 0,
        }


def bundled_model_roots() -> list[Path]:
    """Where a packaged app carries models: inside the PyInstaller bundle, next to the
    executable, or in the source tree's resources/models."""
    roots = []
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        roots.append(Path(bundle) / "models")
    if getattr(sys, "frozen", False):
        roots.append(Path(sys.executable).resolve().parent / "models")
    roots.append(Path(__file__).resolve().parents[2] / "resources" / "models")
    return roots


_lock = threading.Lock()
_loaded: dict[tuple[str, Path], Future[Any]] = {}
_loader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="model-load")


@atexit.register
def _release() -> None:
    # Free models while their C bindings still exist; at interpreter teardown Vosk's
    # Model.__del__ would find its binding gone and print a traceback.
    with _lock:
        _loaded.clear()


def load_cached(engine: str, path: Path, load: Callable[[Path], Any]) -> Future[Any]:
    """The model ``load(path)`` returns, loaded in the background the first time it is
    asked for; a failed load is tried again on the next request."""
    key = (engine, path.resolve())
    with _lock:
        future = _loaded.get(key)
        if future is None or (future.done() and future.exception() is not None):
            future = _loader.submit(load, key[1])
            _loaded[key] = future
        return future


def forget(engine: str, path: Path) -> None:
    """Drops a cached model (after it was removed or replaced on disk)."""
    with _lock:
        _loaded.pop((engine, path.resolve()), None)
