"""Reading zip packages without trusting them.

Sizes in zip headers are claims, not facts: every member is read in chunks while the
bytes actually produced are counted against the package's budget, so a zip bomb or a
lying header stops at the limit instead of filling the disk. Member names are checked
before anything is read, and nothing is ever extracted under a member's own name.
"""

from __future__ import annotations

import io
import shutil
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import zstandard

from app.formats.limits import (
    MAX_COMPRESSION_RATIO,
    MAX_TOTAL_UNPACKED,
    MAX_ZIP_MEMBERS,
    RATIO_CHECK_ABOVE,
    human_size,
    zip_member_problem,
)
from app.model.errors import DeckFormatError

CHUNK = 1024 * 1024
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
SQLITE_MAGIC = b"SQLite format 3\x00"

_READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    RuntimeError,  # encrypted members
    NotImplementedError,  # compression methods zipfile lacks
    ValueError,
    zstandard.ZstdError,
)

_MAGIC_NAMES = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip file"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (SQLITE_MAGIC, "a bare SQLite database"),
    (ZSTD_MAGIC, "a zstd-compressed file"),
    (b"ID3", "an MP3 file"),
    (b"OggS", "an Ogg file"),
    (b"RIFF", "a RIFF (WAV/AVI) file"),
)


def describe_bytes(head: bytes) -> str:
    """A guess at what a file that should have been something else actually is."""
    for magic, name in _MAGIC_NAMES:
        if head.startswith(magic):
            return name
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "binary data"
    return "text"


class PackageBudget:
    """Bytes that may still be unpacked from one package."""

    def __init__(self, path: Path, total: int | None = None) -> None:
        self.path = path
        self.total = MAX_TOTAL_UNPACKED if total is None else total
        self.left = self.total

    def spend(self, size: int, where: str) -> None:
        self.left -= size
        if self.left < 0:
            raise DeckFormatError(
                self.path,
                f"unpacks to more than {human_size(self.total)}; refusing it as a zip bomb",
                where,
            )


class SafeZip:
    """A zip package opened for reading with member, size and name checks."""

    def __init__(self, path: Path, budget: PackageBudget | None = None) -> None:
        self.path = path
        self.budget = budget or PackageBudget(path)
        try:
            with path.open("rb") as fh:
                head = fh.read(16)
        except OSError as exc:
            raise DeckFormatError(path, f"cannot be read ({exc.strerror or exc})") from None
        if not head:
            raise DeckFormatError(path, "is empty")
        if not head.startswith(ZIP_MAGIC):
            raise DeckFormatError(
                path, f"is not a zip package; it looks like {describe_bytes(head)}"
            )
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise DeckFormatError(
                path, "is a damaged or truncated zip package (its table of contents is missing)"
            ) from None
        try:
            self._check_members()
        except DeckFormatError:
            self._zip.close()
            raise

    def _check_members(self) -> None:
        infos = self._zip.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            raise DeckFormatError(
                self.path, f"has {len(infos)} members; the limit is {MAX_ZIP_MEMBERS}"
            )
        declared = sum(info.file_size for info in infos)
        if declared > self.budget.total:
            raise DeckFormatError(
                self.path,
                f"claims to unpack to {human_size(declared)}, more than the "
                f"{human_size(self.budget.total)} limit",
            )
        for info in infos:
            problem = zip_member_problem(info.filename)
            if problem is not None:
                raise DeckFormatError(
                    self.path, f"member name {info.filename!r} {problem}", "zip member"
                )
            if info.file_size > RATIO_CHECK_ABOVE and info.file_size > MAX_COMPRESSION_RATIO * max(
                info.compress_size, 1
            ):
                raise DeckFormatError(
                    self.path,
                    f"member {info.filename!r} claims {human_size(info.file_size)} from "
                    f"{human_size(info.compress_size)}; refusing it as a zip bomb",
                )
        self.members = {info.filename: info for info in infos}

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self._zip.close()

    def has(self, name: str) -> bool:
        return name in self.members

    def _chunks(self, name: str, zstd: bool, limit: int | None) -> Iterator[bytes]:
        where = f"member {name!r}"
        produced = 0
        try:
            with self._zip.open(name) as raw:
                stream: IO[bytes] = raw
                if zstd:
                    stream = zstandard.ZstdDecompressor().stream_reader(raw)
                while chunk := stream.read(CHUNK):
                    produced += len(chunk)
                    if limit is not None and produced > limit:
                        raise DeckFormatError(
                            self.path, f"is larger than {human_size(limit)}", where
                        )
                    self.budget.spend(len(chunk), where)
                    yield chunk
        except _READ_ERRORS as exc:
            raise DeckFormatError(
                self.path, f"is damaged or truncated ({_short(exc)})", where
            ) from None

    def read(self, name: str, *, zstd: bool = False, limit: int | None = None) -> bytes:
        out = io.BytesIO()
        for chunk in self._chunks(name, zstd, limit):
            out.write(chunk)
        return out.getvalue()

    def head(self, name: str, size: int) -> bytes:
        """The first bytes of a member, not counted against the budget."""
        try:
            with self._zip.open(name) as raw:
                return raw.read(size)
        except _READ_ERRORS as exc:
            raise DeckFormatError(
                self.path, f"is damaged or truncated ({_short(exc)})", f"member {name!r}"
            ) from None

    def copy_to(self, name: str, dest: Path, *, zstd: bool = False) -> int:
        size = 0
        with dest.open("wb") as out:
            for chunk in self._chunks(name, zstd, None):
                out.write(chunk)
                size += len(chunk)
        return size


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) < 120 else text[:117] + "..."


def copy_file_limited(src: Path, dest: Path, budget: PackageBudget, where: str) -> None:
    budget.spend(src.stat().st_size, where)
    shutil.copyfile(src, dest)
