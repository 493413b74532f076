"""Installing a Vosk model from a downloaded .zip, safely and all-or-nothing.

Zips come from the internet, so every entry is checked before anything is written:
no absolute paths, no ``..``, no symlinks, and bounded size and entry count (sizes are
counted as bytes are actually inflated, not trusted from the header). Extraction goes
into a hidden temporary folder inside models/ and is renamed into place only once the
layout checks out, so a failure leaves nothing half-installed.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from app.core.errors import KnownError
from app.core.paths import models_dir
from app.speech.vosk_models import ModelInfo, declare_language, describe, layout_problems

MAX_TOTAL_BYTES = 4 * 1024**3
MAX_ENTRIES = 20_000
_BLOCK = 1 << 20

Progress = Callable[[int, int], None]  # (bytes done, bytes total)


class ModelInstallError(KnownError):
    """The zip could not be installed; nothing was left behind."""


def install_model_zip(
    zip_path: str | os.PathLike[str],
    data_dir: Path,
    progress: Progress | None = None,
    language: str | None = None,
) -> ModelInfo:
    """Unpacks a Vosk model zip into the data dir's models/ and returns it.

    ``progress`` is called from the calling thread as bytes are written; run this in a
    worker and forward progress to the GUI thread.
    """
    zip_path = Path(zip_path)
    try:
        archive = zipfile.ZipFile(zip_path)
    except FileNotFoundError as err:
        raise ModelInstallError(f"{zip_path}: no such file.") from err
    except (zipfile.BadZipFile, OSError) as err:
        raise ModelInstallError(f"{zip_path}: not a readable .zip file ({err}).") from err
    with archive:
        members = _checked_members(zip_path, archive)
        root = _model_root(zip_path, members)
        name = PurePosixPath(root).name if root else zip_path.stem
        target = models_dir(data_dir) / name
        if target.exists():
            raise ModelInstallError(
                f"A model named {name!r} is already installed in {target.parent}; "
                "remove it first to reinstall."
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".installing-", dir=target.parent))
        try:
            unpacked = staging / "model"
            _extract(zip_path, archive, members, root, unpacked, progress)
            problems = layout_problems(unpacked)
            if problems:
                raise ModelInstallError(
                    f"{zip_path} is not a complete Vosk model: missing {'; '.join(problems)}."
                )
            if language:
                declare_language(unpacked, language)
            os.rename(unpacked, target)
        except OSError as err:
            raise ModelInstallError(f"Could not install {zip_path}: {err}") from err
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return describe(target, "data dir")


def _checked_members(zip_path: Path, archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    members = archive.infolist()
    if len(members) > MAX_ENTRIES:
        raise ModelInstallError(
            f"{zip_path} has {len(members)} entries, more than a Vosk model ({MAX_ENTRIES})."
        )
    total = 0
    for info in members:
        name = info.filename
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") or ".." in parts:
            raise ModelInstallError(
                f"{zip_path} is unsafe: entry {name!r} points outside the folder."
            )
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise ModelInstallError(f"{zip_path} is unsafe: entry {name!r} is a symbolic link.")
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise ModelInstallError(
            f"{zip_path} would unpack to {total / 1024**3:.1f} GB, more than the "
            f"{MAX_TOTAL_BYTES / 1024**3:.0f} GB allowed for a model."
        )
    return members


def _model_root(zip_path: Path, members: list[zipfile.ZipInfo]) -> str:
    """The folder inside the zip that holds am/final.mdl ("" for the zip's top)."""
    roots = [
        m.filename[: -len("am/final.mdl")]
        for m in members
        if m.filename == "am/final.mdl" or m.filename.endswith("/am/final.mdl")
    ]
    if not roots:
        raise ModelInstallError(
            f"{zip_path} is not a Vosk model: it has no am/final.mdl. Download a model "
            "from https://alphacephei.com/vosk/models."
        )
    return min(roots, key=len).rstrip("/")


def _extract(
    zip_path: Path,
    archive: zipfile.ZipFile,
    members: list[zipfile.ZipInfo],
    root: str,
    dest: Path,
    progress: Progress | None,
) -> None:
    prefix = f"{root}/" if root else ""
    wanted = [m for m in members if m.filename.startswith(prefix) and not m.is_dir()]
    total = sum(m.file_size for m in wanted)
    done = 0
    dest.mkdir()
    base = dest.resolve()
    if progress:
        progress(0, total)
    for info in wanted:
        out_path = (dest / info.filename[len(prefix) :]).resolve()
        if not out_path.is_relative_to(base):
            raise ModelInstallError(f"{zip_path} is unsafe: entry {info.filename!r}.")
        out_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with archive.open(info) as src, open(out_path, "xb") as out:
                while block := src.read(_BLOCK):
                    done += len(block)
                    if done > total or done > MAX_TOTAL_BYTES:
                        raise ModelInstallError(
                            f"{zip_path} inflates beyond the sizes it declares; refused."
                        )
                    out.write(block)
                    if progress:
                        progress(done, total)
        except (zipfile.BadZipFile, EOFError, zlib.error) as err:
            raise ModelInstallError(f"{zip_path} is damaged ({err}).") from err
