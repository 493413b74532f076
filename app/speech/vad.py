"""Voice activity, as the audio arrives: where speech is, where it paused, when it ended.

Every recording runs through one ``SpeechTracker`` whatever engine listens, because
three things depend on it: Whisper decodes speech segment by segment (closed at pauses)
while the user is still talking, hands-free mode ends a recording after a few seconds of
silence that follows speech, and a recording in which nobody spoke is not scored.

The model is Silero VAD, which faster-whisper ships as ONNX and runs on onnxruntime.
Silero looks at 32 ms windows, each with the 4 ms of audio before it as context, so a
stream can be scored window by window exactly as a whole file would be; the tracker
keeps only the last context and the per-window probabilities (a 60 s answer is 1,900
floats).
"""

from __future__ import annotations

import importlib.util
import os
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from app.model.errors import KnownError
from app.speech.audio import TARGET_RATE

WINDOW = 512  # samples per Silero window at 16 kHz (32 ms)
CONTEXT = 64  # samples of the previous window Silero v5+ expects in front of each window
WINDOW_S = WINDOW / TARGET_RATE
# Hysteresis as in Silero's own segmenter: speech starts above ON, and only a probability
# below OFF counts as silence, so breathy word endings do not split a segment.
SPEECH_ON = 0.5
SPEECH_OFF = 0.35
# A closed segment keeps this much of the pause after its speech: word endings trail off.
CUT_PAD_S = 0.2
# Speech shorter than this is a click or a cough, not an answer.
MERGE_GAP_S = 0.3
MIN_SPEECH_S = 0.25

FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Segment:
    """Speech from ``start`` to ``end``, in samples of the recording."""

    start: int
    end: int

    @property
    def seconds(self) -> float:
        return (self.end - self.start) / TARGET_RATE


def silero_model_path() -> Path | None:
    """Where faster-whisper keeps its Silero model (``assets/`` in its package folder),
    found without importing faster-whisper: that import brings CTranslate2, PyAV and
    tokenizers into the app process, 36 MiB that only the decoder process needs."""
    try:
        spec = importlib.util.find_spec("faster_whisper")
    except (ImportError, ValueError):
        return None
    folders = list(spec.submodule_search_locations or ()) if spec is not None else []
    return Path(folders[0]) / "assets" / "silero_vad_v6.onnx" if folders else None


@lru_cache(maxsize=1)
def _session() -> Any:
    # onnxruntime 1.32 records a device id and uploads usage events unless this is set
    # before it is first imported; Parley never uses the network.
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
    try:
        import onnxruntime
    except ImportError as err:  # pragma: no cover - a hard dependency
        raise KnownError("Voice detection needs onnxruntime; reinstall Parley.") from err
    path = silero_model_path()
    if path is None or not path.is_file():
        where = path or "faster_whisper/assets/silero_vad_v6.onnx"
        raise KnownError(f"{where}: the voice activity model is missing; reinstall Parley.")
    options = onnxruntime.SessionOptions()
    # One thread: the model is tiny, and the other core belongs to the GUI and decoder.
    options.inter_op_num_threads = 1
    options.intra_op_num_threads = 1
    options.log_severity_level = 4
    return onnxruntime.InferenceSession(
        str(path), providers=["CPUExecutionProvider"], sess_options=options
    )


_session_lock = threading.Lock()


def speech_probabilities(windows: FloatArray) -> FloatArray:
    """Silero's speech probability for each row of ``windows`` (CONTEXT + WINDOW samples)."""
    state = np.zeros((1, 1, 128), dtype=np.float32)
    with _session_lock:  # an InferenceSession run is thread-safe, but one at a time is cheaper
        out = _session().run(None, {"input": windows, "h": state, "c": state})[0]
    return np.asarray(out, dtype=np.float32).reshape(-1)


class SpeechTracker:
    """Feeds on 16 kHz float audio and keeps one speech probability per 32 ms window."""

    def __init__(self) -> None:
        self._pending: FloatArray = np.zeros(0, dtype=np.float32)
        self._context: FloatArray = np.zeros(CONTEXT, dtype=np.float32)
        self._probs: list[float] = []

    def feed(self, samples: FloatArray) -> None:
        pending = np.concatenate([self._pending, samples.astype(np.float32, copy=False)])
        n = len(pending) // WINDOW
        if n:
            frames = pending[: n * WINDOW].reshape(n, WINDOW)
            contexts = np.vstack([self._context[None, :], frames[:-1, -CONTEXT:]])
            self._probs += speech_probabilities(np.hstack([contexts, frames])).tolist()
            self._context = frames[-1, -CONTEXT:].copy()
        self._pending = pending[n * WINDOW :]

    @property
    def windows(self) -> int:
        return len(self._probs)

    def is_speech(self) -> list[bool]:
        """Per window, with hysteresis: speech starts above ON and lasts until below OFF."""
        flags, speaking = [], False
        for p in self._probs:
            speaking = p >= SPEECH_ON or (speaking and p >= SPEECH_OFF)
            flags.append(speaking)
        return flags

    def speech_seconds(self) -> float:
        return sum(self.is_speech()) * WINDOW_S

    @property
    def heard_speech(self) -> bool:
        return self.speech_seconds() >= MIN_SPEECH_S

    def silence_after_speech(self) -> float:
        """Seconds of silence since the last speech; 0 before anyone has spoken."""
        flags = self.is_speech()
        if not any(flags):
            return 0.0
        trailing = len(flags) - 1 - max(i for i, f in enumerate(flags) if f)
        return trailing * WINDOW_S

    def cut_points(self, since: int, min_pause_s: float, min_segment_s: float) -> list[int]:
        """Sample positions after ``since`` where a segment of speech may be closed: once
        a pause has lasted ``min_pause_s``, a little after the speech before it ended,
        provided ``min_segment_s`` of audio has passed since the previous cut. The cut is
        made while the pause goes on, so a segment is decoded before the speaker resumes
        (or presses stop)."""
        flags = self.is_speech()
        pause_windows = max(1, round(min_pause_s / WINDOW_S))
        pad = min(pause_windows, round(CUT_PAD_S / WINDOW_S))
        cuts: list[int] = []
        last_cut = since // WINDOW
        silent = 0
        spoke = False
        for i in range(last_cut, len(flags)):
            if flags[i]:
                spoke, silent = True, 0
                continue
            silent += 1
            if spoke and silent == pause_windows:
                end = i - pause_windows + 1  # first silent window
                if (end - last_cut) * WINDOW_S >= min_segment_s:
                    last_cut = end + pad
                    cuts.append(last_cut * WINDOW)
                    spoke = False
        return cuts

    def quietest_point(self, start: int, end: int) -> int:
        """The sample position of the least speech-like window between two positions: where
        an over-long stretch of speech is split when there is no pause to split it at."""
        lo, hi = start // WINDOW, max(start // WINDOW + 1, end // WINDOW)
        window = self._probs[lo:hi]
        if not window:
            return end
        return (lo + int(np.argmin(window))) * WINDOW

    def segments(self, total_samples: int) -> list[Segment]:
        """The speech in what was fed so far, padded by a window on each side. Runs of
        speech less than ``MERGE_GAP_S`` apart are one segment: the flickering
        probability of a soft word ending must not cut the word off."""
        flags = self.is_speech()
        runs: list[list[int]] = []
        start = None
        for i, f in enumerate([*flags, False]):
            if f and start is None:
                start = i
            elif not f and start is not None:
                if runs and (start - runs[-1][1]) * WINDOW_S < MERGE_GAP_S:
                    runs[-1][1] = i
                else:
                    runs.append([start, i])
                start = None
        return [
            Segment(max(0, (a - 1) * WINDOW), min(total_samples, (b + 1) * WINDOW))
            for a, b in runs
            if (b - a) * WINDOW_S >= MIN_SPEECH_S
        ]
