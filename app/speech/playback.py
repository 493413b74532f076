"""Plays rendered speech and recordings through QtMultimedia.

pyttsx3's own ``say()`` shells out to ``aplay`` on Linux and fails silently without it,
so Parley renders speech to WAV files (``app.speech.tts``) and plays them here, through
whatever output Qt uses (PulseAudio, PipeWire, CoreAudio, WASAPI).
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer


class Player(QObject):
    """One sound at a time: ``play`` replaces whatever was playing.

    ``finished`` fires when a sound plays to its end (not on ``stop``), so a hands-free
    session can start recording right after the question; ``failed`` carries a message
    fit for the user.
    """

    finished = Signal()
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._output = QAudioOutput(self)
        self._player = QMediaPlayer(self)
        self._player.setAudioOutput(self._output)
        self._player.mediaStatusChanged.connect(self._on_status)
        self._player.errorOccurred.connect(self._on_error)
        self._current: Path | None = None

    def play(self, path: str | os.PathLike[str]) -> None:
        self._current = Path(path)
        url = QUrl.fromLocalFile(str(self._current))
        if self._player.source() != url:
            self._player.setSource(url)  # replaces (and ends) whatever was loaded
        self._player.setPosition(0)
        self._player.play()

    def replay(self) -> None:
        """Plays the last sound again from the start (no-op before the first ``play``)."""
        if self._current is not None:
            self.play(self._current)

    def stop(self) -> None:
        # Pause and rewind rather than QMediaPlayer.stop(): with Qt 6.11's FFmpeg backend
        # on PulseAudio, stop() during playback once blocked the GUI thread for good in
        # a full test run (stack: Player.stop). Pausing releases nothing it must wait for.
        self._player.pause()
        self._player.setPosition(0)

    def is_playing(self) -> bool:
        return self._player.playbackState() == QMediaPlayer.PlaybackState.PlayingState

    def set_volume(self, volume: float) -> None:
        self._output.setVolume(max(0.0, min(1.0, volume)))

    @property
    def current(self) -> Path | None:
        return self._current

    def _on_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status == QMediaPlayer.MediaStatus.EndOfMedia:
            self.finished.emit()
        elif status == QMediaPlayer.MediaStatus.InvalidMedia:
            self.failed.emit(f"Could not play {self._current}: the file is not playable audio.")

    def _on_error(self, error: QMediaPlayer.Error, message: str) -> None:
        if error != QMediaPlayer.Error.NoError and error != QMediaPlayer.Error.FormatError:
            self.failed.emit(f"Could not play {self._current}: {message or error.name}.")
