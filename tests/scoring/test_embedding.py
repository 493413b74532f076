"""The numpy all-MiniLM-L6-v2 encoder against sentence-transformers' own vectors.

``tests/data/embedding/reference.json`` was made once with sentence-transformers and torch
outside the project (see its "about"); neither is installed here, so these tests check the
torch-free forward pass against real reference output, not against itself.
"""

from __future__ import annotations

import json
import shutil
import sys
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.model.errors import KnownError
from app.scoring.embedding import SentenceEncoder, _batches, default_model_dir, load_encoder

from no_network import no_network  # noqa: F401  (a fixture, found by name)

REFERENCE = Path(__file__).resolve().parent.parent / "data" / "embedding" / "reference.json"


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return load_encoder()


def _reference() -> dict[str, Any]:
    reference: dict[str, Any] = json.loads(REFERENCE.read_text(encoding="utf-8"))
    return reference


def test_matches_sentence_transformers_reference(encoder: SentenceEncoder) -> None:
    ref = _reference()
    # The fixture must keep covering truncation: one text longer than max_seq_length.
    assert max(ref["token_lengths"]) > encoder.max_seq_length
    expected = np.asarray(ref["vectors"], dtype=np.float64)
    got = encoder.encode(ref["sentences"]).astype(np.float64)
    assert got.shape == expected.shape == (len(ref["sentences"]), 384)
    cosines = (got * expected).sum(axis=1) / np.linalg.norm(expected, axis=1)
    for sentence, cosine in zip(ref["sentences"], cosines, strict=True):
        assert cosine >= 0.9999, (sentence[:60], cosine)


def test_rows_are_unit_length_float32(encoder: SentenceEncoder) -> None:
    vectors = encoder.encode(["one", "two words", "a somewhat longer sentence here"])
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_empty_input_gives_empty_matrix(encoder: SentenceEncoder) -> None:
    assert encoder.encode([]).shape == (0, 384)


def test_paraphrase_is_closer_than_unrelated(encoder: SentenceEncoder) -> None:
    anchor, paraphrase, unrelated = encoder.encode(
        [
            "the model stays the same",
            "we do not change the model's weights",
            "the cafeteria opens at noon",
        ]
    )
    assert anchor @ paraphrase > anchor @ unrelated + 0.2


def test_batching_and_order_do_not_change_results() -> None:
    # No cache, so a repeated text is really encoded again in its new batch.
    enc = load_encoder(cache_size=0)
    a = "caching sits in front of the database and absorbs repeated reads"
    b = "we shard by customer id"
    forward = enc.encode([a, b])
    backward = enc.encode([b, a])
    np.testing.assert_allclose(forward, backward[::-1], atol=1e-5)
    alone = np.vstack([enc.encode([a]), enc.encode([b])])
    np.testing.assert_allclose(forward, alone, atol=1e-5)
    # Several batches, each padded to a different length, against one text at a time.
    texts = [f"window {i} " + "word " * (3 * i) for i in range(12)]
    enc.batch_size = 4
    batched = enc.encode(texts)
    one_by_one = np.vstack([enc.encode([t]) for t in texts])
    np.testing.assert_allclose(batched, one_by_one, atol=1e-5)


def test_batches_cover_every_text_once_within_limits() -> None:
    lengths = [256, 3, 40, 41, 7, 200, 18, 18, 18, 18, 18, 2]
    batches = _batches(lengths, max_rows=4, max_tokens=300)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for batch in batches:
        longest = lengths[batch[0]]
        assert all(lengths[i] <= longest for i in batch)
        assert len(batch) <= 4 and (len(batch) == 1 or len(batch) * longest <= 300)
        # A short text never pads to more than twice its own length.
        assert all(2 * lengths[i] >= longest for i in batch)


def test_cache_returns_same_vectors_and_stays_bounded() -> None:
    enc = load_encoder(cache_size=3)
    first = enc.encode(["alpha", "beta"])
    again = enc.encode(["beta", " alpha", "alpha"])
    np.testing.assert_array_equal(again, first[[1, 0, 0]])
    # Callers may scribble on what they get back without touching the cache.
    again[:] = 0
    np.testing.assert_array_equal(enc.encode(["alpha"]), first[:1])
    enc.encode(["c", "d", "e", "f"])
    assert list(enc._cache) == ["d", "e", "f"]


def test_encode_from_threads_agrees_with_serial() -> None:
    encoder = load_encoder()
    texts = [f"key point number {i} about replication lag" for i in range(24)]
    expected = load_encoder(cache_size=0).encode(texts)
    results: dict[int, np.ndarray] = {}
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            results[k] = encoder.encode(texts[k::4])
        except BaseException as err:  # a thread's failure would otherwise be lost
            errors.append(err)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for k in range(4):
        np.testing.assert_allclose(results[k], expected[k::4], atol=1e-5)


@pytest.mark.usefixtures("no_network")  # fails the test at teardown on any attempt
def test_loads_and_encodes_offline_without_torch() -> None:
    load_encoder().encode(["anything at all"])
    assert "torch" not in sys.modules
    assert "sentence_transformers" not in sys.modules


@pytest.fixture
def model_copy(tmp_path: Path) -> Path:
    """A copy of the model folder to break; the weights are linked, not copied, when the
    file system allows it."""
    source = default_model_dir()
    target = tmp_path / "model"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("model.safetensors"))
    weights = target / "model.safetensors"
    try:
        weights.symlink_to(source / "model.safetensors")
    except OSError:
        shutil.copy2(source / "model.safetensors", weights)
    return target


def test_missing_config_names_the_folder(model_copy: Path) -> None:
    (model_copy / "config.json").unlink()
    with pytest.raises(KnownError) as info:
        load_encoder(model_copy)
    assert str(model_copy) in str(info.value)
    assert "config.json" in str(info.value)


def test_truncated_weights_name_the_folder(model_copy: Path) -> None:
    source = (model_copy / "model.safetensors").resolve()
    (model_copy / "model.safetensors").unlink()
    with source.open("rb") as f:
        head = f.read(5_000_000)
    (model_copy / "model.safetensors").write_bytes(head)
    with pytest.raises(KnownError) as info:
        load_encoder(model_copy)
    assert str(model_copy) in str(info.value)
    assert "model.safetensors" in str(info.value)


def test_missing_tokenizer_and_missing_folder(model_copy: Path, tmp_path: Path) -> None:
    (model_copy / "tokenizer.json").unlink()
    with pytest.raises(KnownError, match=r"tokenizer\.json"):
        load_encoder(model_copy)
    nowhere = tmp_path / "nowhere"
    with pytest.raises(KnownError, match="nowhere"):
        load_encoder(nowhere)


def test_garbage_weights_name_the_folder(model_copy: Path) -> None:
    (model_copy / "model.safetensors").unlink()
    (model_copy / "model.safetensors").write_bytes(b"\x00" * 64)
    with pytest.raises(KnownError) as info:
        load_encoder(model_copy)
    assert str(model_copy) in str(info.value)
