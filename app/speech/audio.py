"""Audio in the one shape the recognisers want: 16 kHz mono signed 16-bit PCM.

Users bring WAVs of every flavour (8-bit to 32-bit float, stereo, 8 kHz to 48 kHz) and
microphones deliver whatever their driver prefers, so everything passes through here.
Resampling is a Hann-windowed sinc interpolation: the low-pass follows the lower of the
two Nyquist rates, which keeps aliasing out of the speech band when downsampling. It is
streaming (``StreamResampler``) so a live microphone and a file take the same path,
and a file is read block by block, so memory holds only the 16 kHz result. Files longer
than ``MAX_WAV_SECONDS`` are refused before any work. Qt-free: the CLI, the capture
worker and the tests all use it.
"""

from __future__ import annotations

import math
import os
import stat
import tempfile
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile as sf

from app.model.errors import KnownError

TARGET_RATE = 16_000
SAMPLE_WIDTH = 2  # bytes per int16 sample
WAV_FORMATS = frozenset({"WAV", "WAVEX", "RF64", "W64"})
# Recognition is slower than real time on a small machine; half an hour of audio is far
# longer than any answer and still a bounded amount of work.
MAX_WAV_SECONDS = 30 * 60
_READ_BLOCK = 1 << 16  # frames read and resampled at a time

Progress = Callable[[float, float], None]  # (seconds done, seconds total)

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


def shown(path: str | os.PathLike[str]) -> str:
    """A path as text that can be printed whatever its bytes (non-UTF-8 names)."""
    return os.fsencode(path).decode("utf-8", "replace")


def _open_wav(path: str | os.PathLike[str]) -> sf.SoundFile:
    """The file opened for reading, once it is known to be a WAV of bounded length.

    Raises ``AudioFileError`` naming the file for anything that is not a readable WAV.
    """
    path = Path(path)
    if not path.is_file():
        raise AudioFileError(f"{shown(path)}: no such file.")
    try:
        # Bytes, not str: libsndfile gets any file name, UTF-8 or not.
        sound = sf.SoundFile(os.fsencode(path))
    except sf.LibsndfileError as err:
        raise AudioFileError(
            f"{shown(path)}: not a readable WAV file ({err.error_string})."
        ) from err
    except (OSError, RuntimeError) as err:
        raise AudioFileError(f"{shown(path)}: could not be read ({err}).") from err
    try:
        if sound.format not in WAV_FORMATS:
            raise AudioFileError(f"{shown(path)}: not a WAV file (it is {sound.format_info}).")
        if sound.frames <= 0 or sound.samplerate <= 0:
            raise AudioFileError(f"{shown(path)}: the WAV file contains no audio.")
        seconds = sound.frames / sound.samplerate
        if seconds > MAX_WAV_SECONDS:
            raise AudioFileError(
                f"{shown(path)}: the recording is {seconds / 60:.0f} minutes long; Parley "
                f"transcribes at most {MAX_WAV_SECONDS // 60} minutes. Cut it into parts."
            )
    except BaseException:
        sound.close()
        raise
    return sound


def read_wav(path: str | os.PathLike[str]) -> tuple[npt.NDArray[np.float32], int]:
    """The file's frames as float32 in [-1, 1] and its sample rate.

    Raises ``AudioFileError`` naming the file for anything that is not a readable WAV
    or that is longer than ``MAX_WAV_SECONDS``.
    """
    with _open_wav(path) as sound:
        try:
            data = sound.read(dtype="float32", always_2d=False)
        except (sf.LibsndfileError, OSError, RuntimeError) as err:
            raise AudioFileError(f"{shown(path)}: could not be read ({err}).") from err
        rate = sound.samplerate
    if len(data) == 0:
        raise AudioFileError(f"{shown(path)}: the WAV file contains no audio.")
    return np.asarray(data, dtype=np.float32), int(rate)


def load_pcm16k(path: str | os.PathLike[str], progress: Progress | None = None) -> bytes:
    """Reads any WAV and returns 16 kHz mono int16 PCM, ready for a recogniser.

    The file is decoded and resampled a block at a time; ``progress`` hears how far.
    """
    out = bytearray()
    with _open_wav(path) as sound:
        rate, total = int(sound.samplerate), sound.frames / sound.samplerate
        resampler = StreamResampler(rate, TARGET_RATE)
        done = 0
        try:
            for block in sound.blocks(_READ_BLOCK, dtype="float32", always_2d=True):
                out += to_int16_bytes(resampler.feed(downmix(block)))
                done += len(block)
                if done > sound.frames:  # a header that lies about the length
                    raise AudioFileError(f"{shown(path)}: the WAV file is damaged.")
                if progress:
                    progress(done / rate, total)
        except (sf.LibsndfileError, OSError, RuntimeError) as err:
            raise AudioFileError(f"{shown(path)}: could not be read ({err}).") from err
    if not done:
        raise AudioFileError(f"{shown(path)}: the WAV file contains no audio.")
    out += to_int16_bytes(resampler.flush())
    return bytes(out)


def wav_seconds(path: str | os.PathLike[str]) -> float:
    """How long a WAV file plays, from its header."""
    with _open_wav(path) as sound:
        return float(sound.frames / sound.samplerate)


def pcm_duration(pcm: bytes, rate: int = TARGET_RATE) -> float:
    return len(pcm) / (SAMPLE_WIDTH * rate)


def level(pcm: bytes) -> float:
    """Loudness of a chunk for a meter, 0..1: the peak, which reacts to speech fastest."""
    if len(pcm) < SAMPLE_WIDTH:
        return 0.0
    samples = np.frombuffer(pcm[: len(pcm) // SAMPLE_WIDTH * SAMPLE_WIDTH], dtype="<i2")
    return min(1.0, float(np.abs(samples.astype(np.int32)).max()) / 32768)


def _refuse_special(path: Path) -> None:
    """Renaming over ``path`` replaces whatever it is, so it must be a regular file."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISREG(mode):
        raise AudioFileError(
            f"{shown(path)}: is not a regular file (a folder, a link or a device); "
            "Parley writes only to regular files."
        )


def write_wav_atomic(path: str | os.PathLike[str], pcm: bytes, rate: int = TARGET_RATE) -> Path:
    """Writes mono int16 PCM as a WAV; readers never see a half-written file."""
    path = Path(path)
    _refuse_special(path)
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
    """Copies a file so that ``dst`` either does not exist or is complete; ``dst`` may
    only be a regular file."""
    dst = Path(dst)
    _refuse_special(dst)
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
