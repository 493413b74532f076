"""Recording an answer from the microphone and recognising it while the user speaks.

The audio comes from an ``AudioSource`` (``app.speech.microphone``): the system
microphone unless a test or bench hands the recorder a scripted one. Its ``ready``
callback (Qt's ``readyRead``, on the GUI thread) only copies bytes onto a queue.
A worker thread owns the recogniser for this one recording: it converts the audio to
16 kHz mono int16 when the device could not deliver that, feeds the recogniser, and
reports level and partial text. Its results come back through a queued signal so the
public signals always fire on the GUI thread, and it writes the recording to
recordings/ atomically before announcing the transcript.
"""

from __future__ import annotations

import queue
import threading
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtMultimedia import QAudioFormat

from app.model.errors import KnownError
from app.model.paths import recordings_dir
from app.speech.audio import (
    TARGET_RATE,
    FloatArray,
    StreamResampler,
    downmix,
    level,
    to_int16_bytes,
    write_wav_atomic,
)
from app.speech.microphone import AudioInput, AudioSource, Microphone, wanted_format
from app.speech.recognizer import Recognizer, Transcript


def _same_format(a: QAudioFormat, b: QAudioFormat) -> bool:
    return (a.sampleRate(), a.channelCount(), a.sampleFormat()) == (
        b.sampleRate(),
        b.channelCount(),
        b.sampleFormat(),
    )


class FormatConverter:
    """Device bytes in any Qt sample format → 16 kHz mono int16, chunk by chunk."""

    _DTYPES: ClassVar[dict[QAudioFormat.SampleFormat, np.dtype[Any]]] = {
        QAudioFormat.SampleFormat.UInt8: np.dtype("u1"),
        QAudioFormat.SampleFormat.Int16: np.dtype("<i2"),
        QAudioFormat.SampleFormat.Int32: np.dtype("<i4"),
        QAudioFormat.SampleFormat.Float: np.dtype("<f4"),
    }

    def __init__(self, fmt: QAudioFormat) -> None:
        self._dtype = self._DTYPES[fmt.sampleFormat()]
        self._channels = max(1, fmt.channelCount())
        self._frame_bytes = self._dtype.itemsize * self._channels
        self._resampler = StreamResampler(fmt.sampleRate(), TARGET_RATE)
        self._leftover = b""

    def convert(self, data: bytes) -> bytes:
        data = self._leftover + data
        usable = len(data) // self._frame_bytes * self._frame_bytes
        self._leftover = data[usable:]
        raw = np.frombuffer(data[:usable], dtype=self._dtype)
        return to_int16_bytes(self._resampler.feed(self._mono(raw)))

    def flush(self) -> bytes:
        return to_int16_bytes(self._resampler.flush())

    def _mono(self, raw: npt.NDArray[Any]) -> FloatArray:
        scaled: npt.NDArray[Any] = raw
        if self._dtype.kind == "u":
            scaled = (raw.astype(np.float32) - 128) / 128
        elif self._dtype.kind == "i":
            scaled = raw.astype(np.float32) / float(2 ** (8 * self._dtype.itemsize - 1))
        return downmix(np.asarray(scaled, dtype=np.float32).reshape(-1, self._channels))


class _WorkerSignals(QObject):
    """Emitted from the worker thread; connected queued to the Recorder."""

    level = Signal(float)
    partial = Signal(str)
    settled = Signal(str)
    finished = Signal(object, str)
    failed = Signal(str)
    speech_ended = Signal()


class Recorder(QObject):
    """Records one answer at a time into a fresh recogniser.

    Signals (always on the GUI thread): ``level(float 0..1)`` per chunk, ``partial(str)``
    when the live transcript changes, ``settled(str)`` when the start of the answer that
    can no longer change grows, ``finished(Transcript, wav_path)`` after ``stop()``,
    ``speech_ended()`` once, when ``end_silence_s`` of silence has followed speech (the
    caller decides whether that stops the recording), and ``failed(str)`` for problems
    during the recording. ``start()`` raises ``NoInputDeviceError`` at once when there
    is no microphone. A recording in which no word was heard is not kept on disk:
    ``finished`` then carries an empty transcript and an empty path. ``source`` is where
    the audio comes from (default: the system microphone).
    """

    level = Signal(float)
    partial = Signal(str)
    settled = Signal(str)
    finished = Signal(object, str)
    failed = Signal(str)
    speech_ended = Signal()

    def __init__(
        self, data_dir: Path, parent: QObject | None = None, source: AudioSource | None = None
    ) -> None:
        super().__init__(parent)
        self._data_dir = data_dir
        self._audio: AudioSource = source if source is not None else Microphone()
        self._source: AudioInput | None = None
        self._chunks: queue.Queue[bytes | None] | None = None
        self._worker: threading.Thread | None = None
        self._signals = _WorkerSignals()
        queued = Qt.ConnectionType.QueuedConnection
        self._signals.level.connect(self.level, queued)
        self._signals.partial.connect(self.partial, queued)
        self._signals.settled.connect(self.settled, queued)
        self._signals.finished.connect(self._on_finished, queued)
        self._signals.failed.connect(self._on_failed, queued)
        self._signals.speech_ended.connect(self.speech_ended, queued)
        self._watchdog = QTimer(self)
        self._watchdog.setInterval(500)
        self._watchdog.timeout.connect(self._check_source)

    @property
    def recording(self) -> bool:
        return self._source is not None

    @property
    def recorded_seconds(self) -> float:
        """Audio captured so far in this recording (0 when not recording)."""
        return self._source.processed_s() if self._source is not None else 0.0

    def start(
        self, recognizer: Recognizer, device: str = "", end_silence_s: float | None = None
    ) -> None:
        if self._source is not None:
            raise RuntimeError("already recording")
        source = self._audio.open(device, self._on_ready_read, self)
        converter = (
            None if _same_format(source.fmt, wanted_format()) else FormatConverter(source.fmt)
        )
        self._source = source
        self._chunks = queue.Queue()
        wav_path = recordings_dir(self._data_dir) / (
            f"{datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.wav"
        )
        self._worker = threading.Thread(
            target=self._work,
            args=(recognizer, converter, self._chunks, wav_path, end_silence_s),
            name="recogniser",
            daemon=True,
        )
        self._worker.start()
        self._watchdog.start()

    def stop(self) -> None:
        """Stops listening; ``finished`` follows once the recogniser is done."""
        if self._source is None or self._chunks is None:
            return
        self._on_ready_read()
        self._release_source()
        self._chunks.put(None)

    def wait_done(self, timeout: float | None = None) -> bool:
        """For tests and shutdown: waits for the worker thread (not for the signal)."""
        if self._worker is None:
            return True
        self._worker.join(timeout)
        return not self._worker.is_alive()

    def _release_source(self) -> None:
        self._watchdog.stop()
        source, self._source = self._source, None
        if source is not None:
            source.stop()

    def _on_ready_read(self) -> None:
        if self._source is not None and self._chunks is not None:
            data = self._source.read()
            if data:
                self._chunks.put(data)

    def _check_source(self) -> None:
        source = self._source
        problem = source.error() if source is not None else None
        if problem is not None:
            self._release_source()
            if self._chunks is not None:
                self._chunks.put(None)
            self.failed.emit(problem)

    def _on_finished(self, transcript: Transcript, wav_path: str) -> None:
        self.finished.emit(transcript, wav_path)

    def _on_failed(self, message: str) -> None:
        self._release_source()
        self.failed.emit(message)

    def _work(
        self,
        recognizer: Recognizer,
        converter: FormatConverter | None,
        chunks: queue.Queue[bytes | None],
        wav_path: Path,
        end_silence_s: float | None,
    ) -> None:
        try:
            recognizer.start()  # may wait for a model to load; audio queues meanwhile
            pcm = bytearray()
            shown = settled = ""
            ended = False
            while (data := chunks.get()) is not None:
                chunk = converter.convert(data) if converter else data
                pcm += chunk
                recognizer.accept(chunk)
                self._signals.level.emit(level(chunk))
                text = recognizer.partial()
                if text != shown:
                    shown = text
                    self._signals.partial.emit(text)
                now_settled = recognizer.settled()
                if len(now_settled) > len(settled):
                    settled = now_settled
                    self._signals.settled.emit(settled)
                silence = recognizer.speech.silence_after_speech()
                if end_silence_s is not None and not ended and silence >= end_silence_s:
                    ended = True
                    self._signals.speech_ended.emit()
            if converter:
                tail = converter.flush()
                pcm += tail
                recognizer.accept(tail)
            transcript = recognizer.finish()
            if transcript.heard_nothing:
                self._signals.finished.emit(transcript, "")
                return
            write_wav_atomic(wav_path, bytes(pcm))
        except KnownError as err:
            self._signals.failed.emit(str(err))
            return
        except OSError as err:
            self._signals.failed.emit(f"Could not save the recording: {err}")
            return
        self._signals.finished.emit(transcript, str(wav_path))
