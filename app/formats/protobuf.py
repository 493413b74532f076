"""Just enough protobuf to read the few messages in Anki's current package format.

Anki stores the media list, note type and template settings as protobuf blobs. We need
a handful of fields from them, so instead of the generated classes we walk the wire
format: varints and length-delimited fields are returned, fixed-width ones skipped.
"""

from __future__ import annotations

from collections.abc import Iterator

Field = tuple[int, int | bytes]


class ProtobufError(ValueError):
    pass


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = 0
    for shift in range(0, 70, 7):
        if pos >= len(data):
            raise ProtobufError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
    raise ProtobufError("varint longer than 10 bytes")


def fields(data: bytes) -> Iterator[Field]:
    """Yield ``(field number, value)`` for varint and length-delimited fields."""
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise ProtobufError("field number 0")
        if wire == 0:
            value, pos = _varint(data, pos)
            yield number, value
        elif wire == 2:
            size, pos = _varint(data, pos)
            if pos + size > len(data):
                raise ProtobufError("length-delimited field runs past the end")
            yield number, data[pos : pos + size]
            pos += size
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        else:
            raise ProtobufError(f"unsupported wire type {wire}")
        if pos > len(data):
            raise ProtobufError("fixed-width field runs past the end")


def first(data: bytes, number: int) -> int | bytes | None:
    for num, value in fields(data):
        if num == number:
            return value
    return None


def first_str(data: bytes, number: int) -> str:
    value = first(data, number)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return ""


def first_int(data: bytes, number: int) -> int:
    value = first(data, number)
    return value if isinstance(value, int) else 0
