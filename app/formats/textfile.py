"""Reading a whole text deck file (CSV, TOML, JSON) as UTF-8, with a size limit and a
message that names the first line that is not UTF-8."""

from __future__ import annotations

from pathlib import Path

from app.formats.limits import MAX_TEXT_FILE_BYTES, human_size
from app.model.errors import DeckFormatError


def read_bytes(path: Path, limit: int = MAX_TEXT_FILE_BYTES) -> bytes:
    try:
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise DeckFormatError(path, f"cannot be read ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise DeckFormatError(path, f"is larger than the {human_size(limit)} limit")
    return data


def decode_utf8(data: bytes, path: Path) -> str:
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DeckFormatError(
            path,
            f"is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be decoded); "
            "save it as UTF-8 and try again",
            f"line {line}",
        ) from None


def read_text(path: Path, limit: int = MAX_TEXT_FILE_BYTES) -> str:
    return decode_utf8(read_bytes(path, limit), path)
