"""GUI responsiveness: the longest event-loop stall while the app listens and speaks.

A 5 ms precise QTimer on the GUI thread records when it fires; the longest gap between
two beats in each phase is the worst stall a user could feel there. The real window runs
offscreen on the rehearsal page of the built-in deck, with a private PulseAudio server
(``tests/pulse_mic.py``) whose virtual microphone ``vmic`` is the input:

1. idle: the question on screen, nothing happening (the baseline);
2. recording: flite reads a model answer into ``vmic`` in real time while the Recorder
   captures it and PocketSphinx recognises it on its worker;
3. stop → result: the recogniser's final pass, scoring on the pool, the attempt saved;
4. speaking: the model answer (M) rendered by the TTS thread and played by Qt.

Without PulseAudio the recording phase uses the latency bench's driven fake microphone,
in real time, and the speaking phase is skipped (there is no audio output to play to).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import REPO, Figure, standalone

BUDGET_MS = 50.0
IDLE_S = 3.0
RECORD_S = 12.0
SPEAK_MAX_S = 12.0


class Heartbeat:
    def __init__(self, interval_ms: int = 5) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.beats: list[float] = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(lambda: self.beats.append(time.perf_counter()))

    def start(self) -> None:
        self.timer.start()

    def gaps(self, start: float, end: float) -> dict[str, Any]:
        """The longest gap in [start, end] (ms), when it began (s after start), how many
        gaps were over the budget, and how many beats there were."""
        beats = [b for b in self.beats if start <= b <= end]
        gaps = [(b - a, a) for a, b in itertools.pairwise(beats)]
        if not gaps:
            return {"max_ms": float("nan"), "at_s": None, "over_budget": 0, "beats": len(beats)}
        worst, at = max(gaps)
        return {
            "max_ms": round(worst * 1000, 2),
            "at_s": round(at - start, 3),
            "over_budget": sum(g * 1000 > BUDGET_MS for g, _ in gaps),
            "beats": len(beats),
        }


def start_pulse() -> Any:
    """A private PulseAudio server with ``vmic``, or None when it cannot run here."""
    if shutil.which("pulseaudio") is None:
        return None
    sys.path.insert(0, str(REPO / "tests"))
    from pulse_mic import PulseUnavailable, start_pulse

    try:
        mic = start_pulse()
    except PulseUnavailable:
        return None
    os.environ["PULSE_SERVER"] = mic.env["PULSE_SERVER"]
    os.environ["PULSE_COOKIE"] = mic.env["PULSE_COOKIE"]
    return mic


def run(quick: bool = False) -> list[Figure]:
    from bench.bench_latency import CHUNK_BYTES, FakeMicrophone, Rig, answer_pcm, pump, wait_until

    pulse = start_pulse()  # before Qt's audio backend first connects
    phases: dict[str, tuple[float, float]] = {}
    notes: dict[str, Any] = {"audio": "PulseAudio vmic" if pulse else "fake microphone"}
    try:
        with tempfile.TemporaryDirectory(prefix="parley-bench-resp-") as tmp:
            root = Path(tmp)
            fake = None
            if pulse is None:
                fake = FakeMicrophone()
                fake.install()
            rig = Rig(root / "data", "pocketsphinx")
            if pulse is not None:
                settings = rig.window.backend.settings
                settings.input_device = "vmic"
            page = rig.page
            beat = Heartbeat()
            beat.start()
            try:
                pump(0.5)
                t0 = time.perf_counter()
                pump(IDLE_S)
                phases["idle window"] = (t0, time.perf_counter())

                card = page.current
                assert card is not None
                pcm = answer_pcm(root, RECORD_S, [card.model_answer])
                t0 = time.perf_counter()
                page.start_recording()
                if pulse is not None:
                    from app.speech.audio import write_wav_atomic

                    wav = write_wav_atomic(root / "answer.wav", pcm)
                    player = pulse.play(wav)
                    wait_until(lambda: player.poll() is not None, RECORD_S + 30, "paplay")
                    pump(0.3)  # the last buffered audio reaches the recogniser
                else:
                    assert fake is not None
                    for i in range(0, len(pcm), CHUNK_BYTES):
                        fake.deliver(pcm[i : i + CHUNK_BYTES])
                        pump(0.25)
                phases["recording + recognising"] = (t0, time.perf_counter())

                shown = len(rig.results)
                t0 = time.perf_counter()
                page.stop_recording()
                wait_until(lambda: len(rig.results) > shown, 60, "the result")
                pump(0.2)
                phases["stop → scoring → result shown"] = (t0, time.perf_counter())
                answer = page.answer
                notes["coverage"] = None if answer is None else answer.result.coverage

                if pulse is not None:
                    finished: list[bool] = []
                    t0 = time.perf_counter()
                    page.play_model_answer()  # TTS render on its thread, then Qt playback
                    player_obj = page._get_player()
                    player_obj.finished.connect(lambda: finished.append(True))
                    # A long answer: its first seconds are what we measure.
                    with contextlib.suppress(TimeoutError):
                        wait_until(lambda: bool(finished), SPEAK_MAX_S, "playback")
                    player_obj.stop()
                    phases["speaking (TTS render + playback)"] = (t0, time.perf_counter())
            finally:
                beat.timer.stop()
                rig.close()
    finally:
        if pulse is not None:
            pulse.stop()
    base = beat.gaps(*phases["idle window"])["max_ms"]
    figures = []
    for name, (start, end) in phases.items():
        gaps = beat.gaps(start, end)
        figures.append(
            Figure(
                bench="responsiveness",
                name=f"longest stall, {name}",
                value=gaps["max_ms"],
                unit="ms",
                budget=None if name == "idle window" else BUDGET_MS,
                baseline=None if name == "idle window" else base,
                baseline_name="idle window",
                detail={**gaps, "seconds": round(end - start, 2), **notes},
            )
        )
    return figures


if __name__ == "__main__":
    standalone(run)
