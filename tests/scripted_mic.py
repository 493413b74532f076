"""A microphone that says what the test tells it to: an ``AudioSource`` for the recorder
(``app.speech.microphone``) that needs no sound server and no real time.

Each recording gets the next clip given to ``say()``, as 16 kHz mono int16, in 100 ms
chunks on the GUI thread the way Qt's ``readyRead`` delivers a device's audio, but ten
times faster than speech; after the clip it goes on with silence at the pace of a real
microphone, so "silence after speech" (hands-free) behaves as it would. ``spoken`` tells
a test when the whole clip has reached the recorder, instead of a sleep.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtMultimedia import QAudioFormat

from app.speech.audio import TARGET_RATE, load_pcm16k
from app.speech.microphone import AudioInput, wanted_format

CHUNK_S = 0.1
CHUNK_BYTES = int(TARGET_RATE * CHUNK_S) * 2  # int16 mono


class ScriptedInput(QObject):
    """One recording's audio: the clip, then silence."""

    def __init__(self, clip: bytes, speed: float, ready: Callable[[], None], parent: QObject):
        super().__init__(parent)
        self._left = clip
        self._ready = ready
        self._pending = bytearray()
        self._delivered = 0
        self._speech_ms = max(1, round(CHUNK_S * 1000 / speed))
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        self._timer.start(self._speech_ms if clip else round(CHUNK_S * 1000))
        self.stopped = False

    @property
    def fmt(self) -> QAudioFormat:
        return wanted_format()

    @property
    def spoken(self) -> bool:
        """The whole clip has been handed to the recorder."""
        return not self._left and not self._pending

    def read(self) -> bytes:
        data, self._pending = bytes(self._pending), bytearray()
        return data

    def processed_s(self) -> float:
        return self._delivered / 2 / TARGET_RATE

    def error(self) -> str | None:
        return None

    def stop(self) -> None:
        self.stopped = True
        self._timer.stop()

    def _tick(self) -> None:
        if self._left:
            chunk, self._left = self._left[:CHUNK_BYTES], self._left[CHUNK_BYTES:]
            if not self._left:
                self._timer.setInterval(round(CHUNK_S * 1000))  # silence in real time
        else:
            chunk = bytes(CHUNK_BYTES)
        self._pending += chunk
        self._delivered += len(chunk)
        self._ready()


class ScriptedMicrophone:
    """The source: give it clips with ``say()``; ``inputs`` are the recordings so far."""

    def __init__(self, speed: float = 10.0) -> None:
        self._clips: deque[bytes] = deque()
        self._speed = speed
        self.inputs: list[ScriptedInput] = []
        self.devices: list[str] = []  # the device each recording asked for

    def say(self, clip: bytes | Path) -> None:
        """What the next recording hears: PCM, or a WAV file of any flavour."""
        self._clips.append(clip if isinstance(clip, bytes) else load_pcm16k(clip))

    @property
    def spoken(self) -> bool:
        """The latest recording has heard all of its clip."""
        return bool(self.inputs) and self.inputs[-1].spoken

    def open(self, device: str, ready: Callable[[], None], parent: QObject) -> AudioInput:
        clip = self._clips.popleft() if self._clips else b""
        opened = ScriptedInput(clip, self._speed, ready, parent)
        self.inputs.append(opened)
        self.devices.append(device)
        return opened
