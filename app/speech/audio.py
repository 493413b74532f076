"""Audio in the one shape the recognisers want: 16 kHz mono signed 16-bit PCM.

Users bring WAVs of every flavour (8-bit to 32-bit float, stereo, 8 kHz to 48 kHz) and
microphones deliver whatever their driver prefers, so everything passes through here.
Resampling is a Hann-windowed sinc interpolation: the low-pass follows the lower of the
two Nyquist rates, which keeps aliasing out of the speech band when downsampling. It is
streaming (``StreamResampler``) so a live microphone and a file take the same path.
Qt-free: the CLI, the capture worker and the tests all use it.
"""

from __future__ import annotations

import math
import os
import tempfile
import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile as sf

from app.core.errors import KnownError

TARGET_RATE = 16_000
SAMPLE_WIDTH = 2  # bytes per int16 sample
WAV_FORMATS = frozenset({"WAV", "WAVEX", "RF64", "W64"})

FloatArray = npt.NDArray[np.float32]


class AudioFileError(KnownError):
    """A file that is not a readable WAV; the message names the file."""


class StreamResampler:
    """Converts a mono float stream between sample rates, chunk by chunk.

    Keeps just enough input history for the filter, so memory stays flat however long
    the stream runs. ``feed`` returns the output that is already determined; ``flush``
    returns the tail once the input has ended.
    """

    _BLOCK = 8192  # outputs computed per vectorised step: bounds temporary arrays

    def __init__(self, src_rate: int, dst_rate: int, zero_crossings: int = 16) -> None:
        if src_rate <= 0 or dst_rate <= 0:
            raise ValueError("sample rates must be positive")
        self.src_rate = src_rate
        self.dst_rate = dst_rate
        self._ratio = dst_rate / src_rate
        # Cut a little below the lower Nyquist so the transition band stays out of it.
        self._cutoff = min(1.0, self._ratio) * 0.92
        self._half = math.ceil(zero_crossings / min(1.0, self._ratio))
        self._taps = np.arange(-self._half + 1, self._half + 1)
        # The kernel depends only on the output's fractional input position, of which
        # there are dst / gcd(src, dst); for common rates a table of them saves most work.
        self._phases = dst_rate // math.gcd(src_rate, dst_rate)
        self._table: FloatArray | None = None
        if self._phases <= 4096:
            fractions = np.arange(self._phases, dtype=np.float64) / self._phases
            self._table = self._kernel(fractions[:, None] - self._taps[None, :])
        # Input history; _start is the absolute index of _buf[0]. Leading zeros give
        # the first outputs their left context.
        self._buf: FloatArray = np.zeros(self._half, dtype=np.float32)
        self._start = -self._half
        self._consumed = 0  # input samples seen
        self._produced = 0  # output samples emitted

    def feed(self, samples: FloatArray) -> FloatArray:
        if self.src_rate == self.dst_rate:
            self._consumed += len(samples)
            self._produced += len(samples)
            return samples.astype(np.float32, copy=False)
        self._buf = np.concatenate([self._buf, samples.astype(np.float32, copy=False)])
        self._consumed += len(samples)
        # Output n sits at input position n * src / dst and needs inputs up to
        # floor(position) + half; integer arithmetic keeps floor() exact.
        reach = self._start + len(self._buf) - self._half
        ready = -(-reach * self.dst_rate // self.src_rate) if reach > 0 else 0
        return self._emit(max(0, ready - self._produced))

    def flush(self) -> FloatArray:
        if self.src_rate == self.dst_rate:
            return np.zeros(0, dtype=np.float32)
        total = round(self._consumed * self._ratio)
        self._buf = np.concatenate([self._buf, np.zeros(self._half + 1, dtype=np.float32)])
        return self._emit(max(0, total - self._produced))

    def _kernel(self, dist: npt.NDArray[np.float64]) -> FloatArray:
        window = 0.5 + 0.5 * np.cos(np.pi * dist / self._half)
        return (self._cutoff * np.sinc(self._cutoff * dist) * window).astype(np.float32)

    def _emit(self, count: int) -> FloatArray:
        out = np.empty(count, dtype=np.float32)
        for first in range(0, count, self._BLOCK):
            n = np.arange(self._produced + first, self._produced + min(count, first + self._BLOCK))
            base = n * self.src_rate // self.dst_rate
            idx = base[:, None] + self._taps[None, :]
            if self._table is not None:
                kernel = self._table[
                    (n * self.src_rate % self.dst_rate) * self._phases // self.dst_rate
                ]
            else:
                pos = n * (self.src_rate / self.dst_rate)
                kernel = self._kernel(pos[:, None] - idx)
            out[first : first + len(n)] = np.einsum(
                "ij,ij->i", self._buf[idx - self._start], kernel
            )
        self._produced += count
        if count:
            # Drop history no future output can reach.
            next_base = self._produced * self.src_rate // self.dst_rate
            keep_from = next_base - self._half + 1 - self._start
            if keep_from > 0:
                self._buf = self._buf[keep_from:]
                self._start += keep_from
        return out


def to_int16_bytes(samples: FloatArray) -> bytes:
    clipped = np.clip(samples, -1.0, 32767 / 32768)
    return (clipped * 32768).astype("<i2").tobytes()


def from_int16_bytes(pcm: bytes) -> FloatArray:
    return np.asarray(np.frombuffer(pcm, dtype="<i2") / 32768, dtype=np.float32)


def downmix(frames: npt.NDArray[np.float32]) -> FloatArray:
    """Averages channels; accepts (n,) or (n, channels)."""
    if frames.ndim == 1:
        return frames.astype(np.float32, copy=False)
    return np.asarray(frames.mean(axis=1), dtype=np.float32)


def convert(samples: npt.NDArray[np.float32], rate: int) -> bytes:
    """Any float frames at ``rate`` → 16 kHz mono int16 PCM."""
    resampler = StreamResampler(rate, TARGET_RATE)
    mono = downmix(samples)
    return to_int16_bytes(np.concatenate([resampler.feed(mono), resampler.flush()]))


def read_wav(path: str | os.PathLike[str]) -> tuple[npt.NDArray[np.float32], int]:
    """The file's frames as float32 in [-1, 1] and its sample rate.

    Raises ``AudioFileError`` naming the file for anything that is not a readable WAV.
    """
    path = Path(path)
    if not path.is_file():
        raise AudioFileError(f"{path}: no such file.")
    try:
        info = sf.info(str(path))
        if info.format not in WAV_FORMATS:
            raise AudioFileError(f"{path}: not a WAV file (it is {info.format_info}).")
        data, rate = sf.read(str(path), dtype="float32", always_2d=False)
    except sf.LibsndfileError as err:
        raise AudioFileError(f"{path}: not a readable WAV file ({err.error_string}).") from err
    except (OSError, RuntimeError) as err:
        raise AudioFileError(f"{path}: could not be read ({err}).") from err
    if len(data) == 0:
        raise AudioFileError(f"{path}: the WAV file contains no audio.")
    return np.asarray(data, dtype=np.float32), int(rate)


def load_pcm16k(path: str | os.PathLike[str]) -> bytes:
    """Reads any WAV and returns 16 kHz mono int16 PCM, ready for a recogniser."""
    data, rate = read_wav(path)
    return convert(data, rate)


def pcm_duration(pcm: bytes, rate: int = TARGET_RATE) -> float:
    return len(pcm) / (SAMPLE_WIDTH * rate)


def level(pcm: bytes) -> float:
    """Loudness of a chunk for a meter, 0..1: the peak, which reacts to speech fastest."""
    if len(pcm) < SAMPLE_WIDTH:
        return 0.0
    samples = np.frombuffer(pcm[: len(pcm) // SAMPLE_WIDTH * SAMPLE_WIDTH], dtype="<i2")
    return min(1.0, float(np.abs(samples.astype(np.int32)).max()) / 32768)


def write_wav_atomic(path: str | os.PathLike[str], pcm: bytes, rate: int = TARGET_RATE) -> Path:
    """Writes mono int16 PCM as a WAV; readers never see a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".wav.part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            with wave.open(fh, "wb") as out:
                out.setnchannels(1)
                out.setsampwidth(SAMPLE_WIDTH)
                out.setframerate(rate)
                out.writeframes(pcm)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def copy_atomic(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> Path:
    """Copies a file so that ``dst`` either does not exist or is complete."""
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dst.stem}-", suffix=".part", dir=dst.parent)
    try:
        with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
            while block := inp.read(1 << 20):
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, dst)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return dst
