"""Plays rendered speech and recordings through QtMultimedia.

pyttsx3's own ``say()`` shells out to ``aplay`` on Linux and fails silently without it,
so Parley renders speech to WAV files (``app.speech.tts``) and plays them here, through
whatever output Qt uses (PulseAudio, PipeWire, CoreAudio, WASAPI).
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, QUrl, Signal
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

# How long after a sound ends ``finished`` is emitted. Right at the end of a sound, Qt's
# FFmpeg backend tears its audio renderer down in a thread of its own, and the teardown
# (QObject::~QObject, holding one of Qt's connection locks) asks PySide for the GIL. A
# slot that reacted at once and connected a signal (hands-free starting the recording
# after the question) held the GIL and waited for that lock: the app froze for good
# (seen in a full test run, with both stacks). Emitting later, from an idle event
# loop that holds no GIL, lets the teardown finish first; a user hears no difference.
FINISH_SETTLE_MS = 150


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
        self._plays = 0  # which play() a sound's end belongs to

    def play(self, path: str | os.PathLike[str]) -> None:
        self._plays += 1
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
        self._plays += 1  # a sound that had just ended no longer counts as finished
        self._player.pause()
        self._player.setPosition(0)

    def is_playing(self) -> bool:
        return self._player.playbackState() == QMediaPlayer.PlaybackState.PlayingState

    def ended(self) -> bool:
        """Whether the last sound has played to its end."""
        return self._player.mediaStatus() == QMediaPlayer.MediaStatus.EndOfMedia

    def set_volume(self, volume: float) -> None:
        self._output.setVolume(max(0.0, min(1.0, volume)))

    @property
    def current(self) -> Path | None:
        return self._current

    def _on_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status == QMediaPlayer.MediaStatus.EndOfMedia:
            played = self._plays
            QTimer.singleShot(FINISH_SETTLE_MS, self, lambda: self._finish(played))
        elif status == QMediaPlayer.MediaStatus.InvalidMedia:
            self.failed.emit(f"Could not play {self._current}: the file is not playable audio.")

    def _finish(self, played: int) -> None:
        if played == self._plays:
            self.finished.emit()

    def _on_error(self, error: QMediaPlayer.Error, message: str) -> None:
        if error != QMediaPlayer.Error.NoError and error != QMediaPlayer.Error.FormatError:
            self.failed.emit(f"Could not play {self._current}: {message or error.name}.")
