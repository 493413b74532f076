"""Installing a speech model from a .zip or a folder, safely and all-or-nothing.

Which engine a model is for is read from its files (each engine names a marker file:
Vosk's ``am/final.mdl``, Whisper's ``model.bin``), and the engine's own layout check
decides whether it is complete.

Zips come from the internet, so every entry is checked before anything is written:
no absolute paths, no ``..``, no symlinks, no encrypted entries, and bounded size and
entry count (sizes are counted as bytes are actually inflated, not trusted from the
header). Entry names are taken without ``./`` parts, so a zip made with ``zip -r m.zip
./`` installs as a folder like any other. Extraction goes
into a hidden temporary folder inside models/ and is renamed into place only once the
layout checks out, so a failure leaves nothing half-installed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

from app.model.errors import KnownError
from app.model.paths import models_dir
from app.speech.engines import ENGINES, EngineSpec
from app.speech.models import ModelInfo
from app.speech.vosk_models import declare_language

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
    """Unpacks a model zip (or copies a model folder) into the data dir's models/.

    ``progress`` is called from the calling thread as bytes are written; run this in a
    worker and forward progress to the GUI thread.
    """
    zip_path = Path(zip_path)
    if zip_path.is_dir():
        return install_model_dir(zip_path, data_dir, progress, language)
    try:
        archive = zipfile.ZipFile(zip_path)
    except FileNotFoundError as err:
        raise ModelInstallError(f"{zip_path}: no such file.") from err
    except (zipfile.BadZipFile, OSError) as err:
        raise ModelInstallError(f"{zip_path}: not a readable .zip file ({err}).") from err
    with archive:
        members = _checked_members(zip_path, archive)
        engine, root = _model_root(zip_path, members)
        name = PurePosixPath(root).name if root else zip_path.stem
        target = _target(data_dir, _folder_name(name))
        with _staging(zip_path, target) as unpacked:
            _extract(zip_path, archive, members, root, unpacked, progress)
            _finish(zip_path, engine, unpacked, target, language)
    return engine.describe(target, "data dir")


def install_model_dir(
    folder: Path, data_dir: Path, progress: Progress | None = None, language: str | None = None
) -> ModelInfo:
    """Copies a model folder (a faster-whisper conversion, an unpacked Vosk model) into
    the data dir's models/."""
    engine = next((e for e in ENGINES if (folder / e.marker).is_file()), None)
    if engine is None:
        markers = ", ".join(f"{e.marker} ({e.label})" for e in ENGINES)
        raise ModelInstallError(f"{folder} is not a speech model: it has none of {markers}.")
    files = [p for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()]
    total = sum(p.stat().st_size for p in files)
    target = _target(data_dir, _folder_name(folder.resolve().name))
    with _staging(folder, target) as unpacked:
        done = 0
        for src in files:
            out = unpacked / src.relative_to(folder)
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, out)
            done += src.stat().st_size
            if progress:
                progress(done, total)
        _finish(folder, engine, unpacked, target, language)
    return engine.describe(target, "data dir")


def _folder_name(name: str) -> str:
    """The installed folder's name: never empty and never hidden (``models/.x`` is
    where installs are staged)."""
    return name.lstrip(".") or "model"


def _entry_name(info: zipfile.ZipInfo) -> str:
    """An entry's path without empty or ``.`` parts: ``./model.bin`` is ``model.bin``."""
    return "/".join(p for p in info.filename.split("/") if p not in ("", "."))


def _target(data_dir: Path, name: str) -> Path:
    target = models_dir(data_dir) / name
    if target.exists():
        raise ModelInstallError(
            f"A model named {name!r} is already installed in {target.parent}; "
            "remove it first to reinstall."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


@contextlib.contextmanager
def _staging(source: Path, target: Path) -> Iterator[Path]:
    """A hidden folder beside ``target`` that is renamed into place or removed."""
    staging = Path(tempfile.mkdtemp(prefix=".installing-", dir=target.parent))
    try:
        yield staging / "model"
    except OSError as err:
        raise ModelInstallError(f"Could not install {source}: {err}") from err
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _finish(
    source: Path, engine: EngineSpec, unpacked: Path, target: Path, language: str | None
) -> None:
    problems = engine.layout_problems(unpacked)
    if problems:
        raise ModelInstallError(
            f"{source} is not a complete {engine.label} model: missing {'; '.join(problems)}."
        )
    if language:
        declare_language(unpacked, language)
    os.rename(unpacked, target)


def _checked_members(zip_path: Path, archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    members = archive.infolist()
    if len(members) > MAX_ENTRIES:
        raise ModelInstallError(
            f"{zip_path} has {len(members)} entries, more than a model has ({MAX_ENTRIES})."
        )
    total = 0
    for info in members:
        name = info.filename
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") or ".." in parts:
            raise ModelInstallError(
                f"{zip_path} is unsafe: entry {name!r} points outside the folder."
            )
        if info.flag_bits & 0x1:
            raise ModelInstallError(
                f"{zip_path} is encrypted (entry {name!r}); unpack it with its password and "
                "install the folder instead."
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


def _model_root(zip_path: Path, members: list[zipfile.ZipInfo]) -> tuple[EngineSpec, str]:
    """The engine whose marker file the zip holds, and the folder holding it ("" for
    the zip's top): the shallowest marker wins."""
    found = []
    for engine in ENGINES:
        for m in members:
            name = _entry_name(m)
            if not m.is_dir() and (name == engine.marker or name.endswith("/" + engine.marker)):
                found.append((name.count("/"), engine, name[: -len(engine.marker)]))
    if not found:
        markers = ", ".join(f"{e.marker} ({e.label})" for e in ENGINES)
        raise ModelInstallError(f"{zip_path} is not a speech model: it has none of {markers}.")
    _depth, engine, root = min(found, key=lambda item: item[0])
    return engine, root.rstrip("/")


def _extract(
    zip_path: Path,
    archive: zipfile.ZipFile,
    members: list[zipfile.ZipInfo],
    root: str,
    dest: Path,
    progress: Progress | None,
) -> None:
    prefix = f"{root}/" if root else ""
    wanted = [m for m in members if _entry_name(m).startswith(prefix) and not m.is_dir()]
    total = sum(m.file_size for m in wanted)
    done = 0
    dest.mkdir()
    base = dest.resolve()
    if progress:
        progress(0, total)
    for info in wanted:
        out_path = (dest / _entry_name(info)[len(prefix) :]).resolve()
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
        except (NotImplementedError, RuntimeError) as err:  # a method zipfile cannot unpack
            raise ModelInstallError(f"{zip_path} cannot be unpacked ({err}).") from err
