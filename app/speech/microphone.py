"""Where a recording's audio comes from: the seam between the recorder and the device.

The recorder reads bytes from an ``AudioInput`` that an ``AudioSource`` opened for it.
The app's source is the system microphone through Qt Multimedia (``Microphone``). Tests
and benches give the recorder a scripted source instead, which delivers known audio on
the GUI thread the way Qt's ``readyRead`` does, so a story about answering aloud runs in
seconds and without a sound server; the recorder cannot tell the difference.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QIODevice, QObject
from PySide6.QtMultimedia import QAudioDevice, QAudioFormat, QAudioSource, QMediaDevices, QtAudio

from app.model.errors import KnownError
from app.speech.audio import TARGET_RATE

# Generous headroom: the GUI thread can be held up (by the GIL while the recogniser
# works, or by painting), and a full device buffer drops audio.
BUFFER_US = 2_000_000


class NoInputDeviceError(KnownError):
    """There is no microphone, or not the one the settings name."""


class AudioInput(Protocol):
    """One recording's open stream of audio."""

    @property
    def fmt(self) -> QAudioFormat:
        """The format the bytes come in (the recorder converts any other than
        ``wanted_format()``)."""
        ...

    def read(self) -> bytes:
        """The bytes that arrived since the last read."""
        ...

    def processed_s(self) -> float:
        """Seconds of audio delivered so far."""
        ...

    def error(self) -> str | None:
        """Why the input stopped working, or None while it works."""
        ...

    def stop(self) -> None: ...


class AudioSource(Protocol):
    def open(self, device: str, ready: Callable[[], None], parent: QObject) -> AudioInput:
        """Starts delivering audio from ``device`` ("" for the default); ``ready()`` is
        called on the GUI thread whenever bytes wait to be read. Raises
        ``NoInputDeviceError`` at once when there is no such device."""
        ...


@dataclass(frozen=True)
class InputDevice:
    id: str
    description: str
    is_default: bool


def input_devices() -> list[InputDevice]:
    """Microphones Qt can see (needs a QCoreApplication)."""
    default = QMediaDevices.defaultAudioInput()
    return [
        InputDevice(_device_id(d), d.description(), d.id() == default.id())
        for d in QMediaDevices.audioInputs()
    ]


def find_device(choice: str = "") -> QAudioDevice:
    """The device whose id or description is ``choice``; the default for ""."""
    devices = QMediaDevices.audioInputs()
    if not devices:
        raise NoInputDeviceError(
            "No microphone was found. Connect one and check that the sound system "
            "(PulseAudio or PipeWire) is running, then try again."
        )
    if not choice:
        default = QMediaDevices.defaultAudioInput()
        return default if not default.isNull() else devices[0]
    for device in devices:
        if choice in (_device_id(device), device.description()):
            return device
    names = ", ".join(repr(d.description()) for d in devices)
    raise NoInputDeviceError(
        f"The microphone {choice!r} is not available. Available: {names}. Pick one in Settings."
    )


def _device_id(device: QAudioDevice) -> str:
    return bytes(device.id().data()).decode("utf-8", errors="replace")


def wanted_format() -> QAudioFormat:
    """What the recognisers take: 16 kHz mono int16."""
    fmt = QAudioFormat()
    fmt.setSampleRate(TARGET_RATE)
    fmt.setChannelCount(1)
    fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
    return fmt


class Microphone:
    """The system's microphones, through Qt Multimedia."""

    def open(self, device: str, ready: Callable[[], None], parent: QObject) -> AudioInput:
        audio_device = find_device(device)
        fmt = wanted_format()
        if not audio_device.isFormatSupported(fmt):
            fmt = audio_device.preferredFormat()
        return _QtInput(audio_device, fmt, ready, parent)


class _QtInput:
    def __init__(
        self, device: QAudioDevice, fmt: QAudioFormat, ready: Callable[[], None], parent: QObject
    ) -> None:
        self._fmt = fmt
        self._source = QAudioSource(device, fmt, parent)
        self._source.setBufferSize(fmt.bytesForDuration(BUFFER_US))
        self._io: QIODevice | None = self._source.start()
        self._io.readyRead.connect(ready)

    @property
    def fmt(self) -> QAudioFormat:
        return self._fmt

    def read(self) -> bytes:
        return bytes(self._io.readAll().data()) if self._io is not None else b""

    def processed_s(self) -> float:
        return self._source.processedUSecs() / 1e6

    def error(self) -> str | None:
        # Polled by the recorder: PySide6 6.12 cannot deliver QAudioSource.stateChanged
        # (its QAudio::State argument fails to convert), and an unplugged device sends
        # no readyRead.
        err = self._source.error()
        return (
            None
            if err == QtAudio.Error.NoError
            else f"The microphone stopped working ({err.name})."
        )

    def stop(self) -> None:
        self._io = None
        self._source.stop()
        self._source.deleteLater()
