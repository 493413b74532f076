"""The decoder loads Whisper with its weights as int8 on disk, made once from the
float16 model that ships: the same words at a lower peak of memory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from app.speech.audio import load_pcm16k
from app.speech.whisper_decoder import DecoderProcess
from app.speech.whisper_int8 import int8_model, quantize_rows, read_layout
from app.speech.whisper_models import builtin_model

SAID = "we keep the policies in a search index so the answers can quote them"


def floats(wav: Path) -> np.ndarray:
    return np.frombuffer(load_pcm16k(wav), dtype=np.int16).astype(np.float32) / 32768.0


def heard(decoder: DecoderProcess, wav: Path) -> set[str]:
    words = decoder.submit(floats(wav), 0.0, "").result(timeout=120)
    return {w.word.strip(".,").lower() for w in words}


def test_the_first_start_makes_an_int8_copy_and_the_next_one_reuses_it(
    tmp_path: Path, flite_wav: Callable[..., Path]
) -> None:
    shipped = builtin_model()
    assert shipped is not None and read_layout(shipped / "model.bin").needs_int8()
    cache = tmp_path / "cache"
    wav = flite_wav(SAID, "slt")

    decoder = DecoderProcess(shipped, cache=cache)
    try:
        assert {"policies", "search", "index"} <= heard(decoder, wav)
    finally:
        decoder.close()
    (copy,) = [p for p in cache.iterdir() if not p.name.startswith(".")]
    layout = read_layout(copy / "model.bin")
    weights = [v for v in layout.variables if v.quantizable]
    assert weights and {v.dtype for v in weights} == {"int8"}
    assert not layout.needs_int8()
    made = (copy / "model.bin").stat().st_mtime_ns

    again = DecoderProcess(shipped, cache=cache)
    try:
        assert {"policies", "search", "index"} <= heard(again, wav)
    finally:
        again.close()
    assert (copy / "model.bin").stat().st_mtime_ns == made
    assert int8_model(copy, cache) == copy  # an int8 model is loaded as it is


def test_a_cache_that_cannot_be_written_still_leaves_a_working_decoder(
    tmp_path: Path, flite_wav: Callable[..., Path]
) -> None:
    shipped = builtin_model()
    assert shipped is not None
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would go")
    decoder = DecoderProcess(shipped, cache=blocked / "whisper-int8")
    try:
        assert {"policies", "index"} <= heard(decoder, flite_wav(SAID, "rms"))
    finally:
        decoder.close()
    assert blocked.read_text() == "a file where the cache folder would go"


def test_each_row_keeps_its_values_to_within_half_a_step() -> None:
    rng = np.random.default_rng(0)
    rows = rng.normal(size=(5, 64)).astype(np.float32) * np.array([[1], [0.01], [5], [0], [2]])
    quantized, scale = quantize_rows(rows)
    assert quantized.dtype == np.int8 and scale.shape == (5,)
    assert np.abs(quantized).max(axis=1).tolist() == [127, 127, 127, 0, 127]
    step = 1 / scale[:, None]
    assert np.all(np.abs(quantized * step - rows) <= step / 2 + 1e-7)
