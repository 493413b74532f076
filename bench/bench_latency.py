"""End of speech → result shown, for a 60-second spoken answer, through the real window.

The real window runs offscreen on the rehearsal page of the built-in deck, with a private
PulseAudio server (``tests/pulse_mic.py``) whose virtual microphone ``vmic`` is the
input. The answer is spoken answers of the evaluation set (``bench/speech_set.py``, one
voice, clean) joined with pauses of 0.5-1.5 s, about 60 s in all, ending with its last
word. ``paplay`` plays it into ``vmic`` in real time while the Recorder captures it and
the engine decodes it as it does a user's voice. Speech ends when ``paplay`` exits (it
returns once the server has played the last sample). The bench then presses stop
(``RehearsalPage.stop_recording()``):

(a) ``REACH_S`` (1.0 s) later, as a person reaching for the key would;
(b) at once, the moment the audio ends.

Each reports stop → result shown (``RehearsalPage.result_shown``) and end of speech →
result shown, the median of ``RUNS`` answers; the split of the first at the Recorder's
``finished`` (the transcript is ready; then scoring and saving on the DB worker) is in
the detail. The baseline, in the same run and on the same page, is a typed answer of the
same text (scoring and saving, no recognition). Also reported: transcribing the same
60 s offline (``transcribe_pcm``, ``live=False``), what a non-streaming recogniser would
make the user wait.

Without PulseAudio the audio goes in through a fake microphone (an ``AudioSource``) that
the bench drives in real time (0.25 s every 0.25 s), and the detail says so.
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench import speech_set
from bench.common import (
    OUT_DIR,
    REPO,
    BenchEngine,
    Figure,
    bench_engines,
    load_1min,
    standalone,
)

BUDGET_MS = 300.0
ANSWER_S = 60.0
REACH_S = 1.0
RUNS = 3
QUICK_RUNS = 1
STAND_IN_RUNS = 2  # a non-English stand-in: case (b) only, for its mechanics
OFFLINE_RUNS = 3
PAUSES_S = (0.5, 1.5)
SLACK_S = 1.5  # the answer ends within this of ANSWER_S
VOICE = "flite-rms"
CHUNK_BYTES = 8000  # 0.25 s of 16 kHz mono int16, what a microphone delivers at once
CACHE = OUT_DIR / "speech-cache"


# -- Qt plumbing -----------------------------------------------------------------------
def qapp() -> Any:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Run the event loop until ``condition()`` holds.

    A nested QEventLoop polled by a timer rather than a processEvents() loop: with
    PySide6 6.12 on Python 3.11 every call of a Qt method that returns nothing drops one
    reference to None (None is not immortal before 3.12), and thousands of
    processEvents() calls crash the interpreter ("none_dealloc")."""
    from PySide6.QtCore import QEventLoop, QTimer

    qapp()
    if condition():
        return
    deadline = time.monotonic() + timeout
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(5)
    expired: list[bool] = []

    def check() -> None:
        if condition():
            loop.quit()
        elif time.monotonic() > deadline:
            expired.append(True)
            loop.quit()

    timer.timeout.connect(check)
    timer.start()
    loop.exec()
    timer.stop()
    if expired:
        raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


def pump(seconds: float) -> None:
    """Run the event loop for ``seconds`` (the GUI stays live, as in the app)."""
    end = time.monotonic() + seconds
    wait_until(lambda: time.monotonic() >= end, seconds + 5, "the clock")


# -- where the audio comes from ----------------------------------------------------------
def start_pulse() -> Any:
    """A private PulseAudio server with ``vmic`` (call before Qt's audio backend first
    connects), or None when it cannot run here."""
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


class FakeMicrophone:
    """An ``AudioSource`` (``app.speech.microphone``) that the bench feeds: ``deliver``
    hands the recorder bytes on the GUI thread exactly as Qt's ``readyRead`` would."""

    def __init__(self) -> None:
        self.io: _FakeInput | None = None

    def open(self, device: str, ready: Callable[[], None], parent: object) -> _FakeInput:
        self.io = _FakeInput(self, ready)
        return self.io

    def deliver(self, data: bytes) -> None:
        if self.io is not None:  # after stop, the rest of the audio goes nowhere
            self.io.buffer += data
            self.io.ready()


class _FakeInput:
    def __init__(self, mic: FakeMicrophone, ready: Callable[[], None]) -> None:
        from app.speech.microphone import wanted_format

        self.fmt = wanted_format()
        self.buffer = bytearray()
        self.ready = ready
        self._mic = mic

    def read(self) -> bytes:
        data, self.buffer = bytes(self.buffer), bytearray()
        return data

    def processed_s(self) -> float:
        return 0.0

    def error(self) -> str | None:
        return None

    def stop(self) -> None:
        self._mic.io = None


class Playback:
    """Plays a WAV into the microphone in real time; ``ended`` is the perf_counter time
    its last sample went out (None while playing)."""

    def __init__(self, pulse: Any, fake: FakeMicrophone | None, wav: Path) -> None:
        self.ended: float | None = None
        if pulse is not None:
            player = pulse.play(wav)

            def wait() -> None:
                player.wait()
                self.ended = time.perf_counter()

            threading.Thread(target=wait, daemon=True).start()
            return
        from PySide6.QtCore import QTimer

        from app.speech.audio import load_pcm16k

        assert fake is not None
        pcm = load_pcm16k(wav)
        chunks = [pcm[i : i + CHUNK_BYTES] for i in range(0, len(pcm), CHUNK_BYTES)]
        self._timer = QTimer()
        self._timer.setInterval(250)

        def tick() -> None:
            if chunks:
                fake.deliver(chunks.pop(0))
            if not chunks:
                self._timer.stop()
                self.ended = time.perf_counter()

        self._timer.timeout.connect(tick)
        self._timer.start()
        tick()

    def wait(self, timeout: float) -> float:
        wait_until(lambda: self.ended is not None, timeout, "the end of the audio")
        assert self.ended is not None
        return self.ended


# -- the window ------------------------------------------------------------------------
class Rig:
    """A real main window on the rehearsal page of the built-in deck."""

    def __init__(
        self,
        data_dir: Path,
        engine: BenchEngine | None = None,
        input_device: str = "",
        microphone: FakeMicrophone | None = None,
    ) -> None:
        from app.model.settings import Settings
        from app.ui.application import create_window

        qapp()
        data_dir.mkdir(parents=True, exist_ok=True)
        # A full run asks 13 questions, more than the default of 10 new role-plays a day.
        settings = Settings(
            speak_questions=False, input_device=input_device, roleplay_new_per_day=100
        )
        if engine is not None:
            settings = engine.configure(settings)
        settings.save(data_dir)
        self.window = create_window(data_dir)
        self.window.backend.audio_source = microphone
        shown: list[bool] = []
        self.window.home.decks_shown.connect(lambda: shown.append(True))
        self.window.show()
        wait_until(lambda: bool(shown), 60, "the home page's decks")
        deck = next(d.name for d in self.window.home.decks if d.roleplays)
        self.page = self.window.rehearsal
        self.results: list[float] = []
        self.page.result_shown.connect(lambda: self.results.append(time.perf_counter()))
        questions: list[bool] = []
        self.page.question_shown.connect(lambda: questions.append(True))
        self.window.start_rehearsal(deck)
        wait_until(lambda: bool(questions), 30, "the first question")
        wait_until(lambda: self.page.engine_choice is not None, 120, "the speech engine")
        choice = self.page.engine_choice
        assert choice is not None
        wait_until(choice.preload().done, 120, "the speech model")
        self.transcripts: list[tuple[float, Any]] = []

    @property
    def engine(self) -> str:
        choice = self.page.engine_choice
        return choice.engine if choice is not None else "none"

    def start_recording(self) -> list[tuple[float, int]]:
        """Starts recording; returns the list the Recorder's chunks will be logged to
        (arrival time, bytes) as they reach its queue."""
        page = self.page
        page.start_recording()
        recorder = page._recorder
        assert recorder is not None and recorder.recording, "recording did not start"
        if not getattr(recorder, "_bench_hooked", False):
            recorder.finished.connect(
                lambda t, _wav: self.transcripts.append((time.perf_counter(), t))
            )
            recorder._bench_hooked = True  # type: ignore[attr-defined]
        queue = recorder._chunks
        assert queue is not None
        arrivals: list[tuple[float, int]] = []
        put = queue.put

        def logged(item: bytes | None, *args: Any, **kwargs: Any) -> None:
            if item is not None:
                arrivals.append((time.perf_counter(), len(item)))
            put(item, *args, **kwargs)

        queue.put = logged  # type: ignore[method-assign]
        return arrivals

    def stop_and_wait(self) -> float:
        """Presses stop; returns the perf_counter time the result was shown."""
        shown = len(self.results)
        self.page.stop_recording()
        wait_until(lambda: len(self.results) > shown, 120, "the result")
        return self.results[-1]

    def typed(self, text: str) -> float:
        """Seconds from submitting ``text`` as a typed answer to the result shown."""
        page = self.page
        page.type_instead()
        page.typed.setPlainText(text)
        shown = len(self.results)
        start = time.perf_counter()
        page.submit_typed_answer()
        wait_until(lambda: len(self.results) > shown, 60, "the typed answer's result")
        return self.results[-1] - start

    def next_question(self) -> None:
        before = self.page.current
        self.page.accept_suggested()
        wait_until(
            lambda: self.page.current is not before or self.page.stages.currentIndex() == 3,
            30,
            "the next question",
        )
        if self.page.current is None:
            raise RuntimeError("the deck ran out of role-plays")

    def close(self) -> None:
        self.window.close()
        self.window.deleteLater()


# -- the spoken answer -----------------------------------------------------------------
def _trim(samples: np.ndarray) -> np.ndarray:
    """Without the synthesiser's leading and trailing silence."""
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > 300)  # about -40 dBFS
    return samples[loud[0] : loud[-1] + 1] if len(loud) else samples


def long_answer(folder: Path, seconds: float = ANSWER_S, seed: int = 0) -> tuple[Path, str]:
    """A WAV of answers from the evaluation set in one voice, joined by pauses of 0.5-1.5 s,
    about ``seconds`` long (answers that would overshoot by more than ``SLACK_S`` are
    skipped), ending with its last word; and what it says."""
    from app.speech.audio import TARGET_RATE, load_pcm16k, write_wav_atomic

    rng = random.Random(seed)
    answers = speech_set.load_answers()
    rng.shuffle(answers)
    voice = next(v for v in speech_set.VOICES if v.name == VOICE)
    clean = next(c for c in speech_set.CONDITIONS if c.name == "clean")
    parts: list[np.ndarray] = []
    texts: list[str] = []
    total = 0
    for answer in answers:
        pcm = load_pcm16k(speech_set.render(answer, voice, clean, CACHE))
        speech = _trim(np.frombuffer(pcm, dtype="<i2"))
        pause = np.zeros(int(rng.uniform(*PAUSES_S) * TARGET_RATE) if parts else 0, dtype="<i2")
        if total + len(pause) + len(speech) > (seconds + SLACK_S) * TARGET_RATE:
            continue  # too long to end near ``seconds``: try the next answer
        parts += [pause, speech]
        texts.append(answer.text)
        total += len(pause) + len(speech)
        if total >= (seconds - SLACK_S) * TARGET_RATE:
            break
    name = f"answer-{seconds:.0f}s.wav"
    wav = write_wav_atomic(folder / name, np.concatenate(parts).tobytes())
    return wav, " ".join(texts)


def short_answer(folder: Path) -> Path:
    """One answer of a few seconds: the warm-up recording."""
    from app.speech.audio import load_pcm16k, write_wav_atomic

    answer = min(speech_set.load_answers(), key=lambda a: len(a.text))
    voice = next(v for v in speech_set.VOICES if v.name == VOICE)
    clean = next(c for c in speech_set.CONDITIONS if c.name == "clean")
    pcm = load_pcm16k(speech_set.render(answer, voice, clean, CACHE))
    return write_wav_atomic(folder / "warm-up.wav", pcm)


# -- one spoken answer -----------------------------------------------------------------
def spoken(
    rig: Rig, pulse: Any, fake: FakeMicrophone | None, wav: Path, reach_s: float, said: str = ""
) -> dict[str, Any]:
    """Speaks ``wav`` into the microphone, presses stop ``reach_s`` after it ends. With
    ``said``, the word error rate of the transcript against it: a fast stop must still
    hold the whole answer."""
    from app.speech.audio import pcm_duration

    duration = pcm_duration(_wav_pcm(wav))
    load = load_1min()
    arrivals = rig.start_recording()
    speech_end = Playback(pulse, fake, wav).wait(duration + 30)
    if reach_s:
        wait_until(lambda: time.perf_counter() >= speech_end + reach_s, reach_s + 5, "the key")
    stop = time.perf_counter()
    transcripts = len(rig.transcripts)
    shown = rig.stop_and_wait()
    fed = sum(n for t, n in arrivals if t <= stop)
    out: dict[str, Any] = {
        "stop_to_result_ms": round((shown - stop) * 1000, 1),
        "speech_end_to_result_ms": round((shown - speech_end) * 1000, 1),
        "audio_s": round(duration, 2),
        "captured_s": round(fed / 32000, 2),  # what reached the recogniser before stop
        "last_chunk_after_speech_end_ms": (
            round((max(t for t, _ in arrivals) - speech_end) * 1000, 1) if arrivals else None
        ),
        "load_before": load,
    }
    if len(rig.transcripts) > transcripts:
        at, transcript = rig.transcripts[-1]
        out["stop_to_transcript_ms"] = round((at - stop) * 1000, 1)
        out["transcript_to_result_ms"] = round((shown - at) * 1000, 1)
        out["words"] = len(transcript.words)
        out["text_head"] = transcript.text[:120]
        if said:
            out["wer"] = round(speech_set.wer(said, transcript.text), 3)
    answer = rig.page.answer
    out["coverage"] = None if answer is None else round(answer.result.coverage, 3)
    return out


def _wav_pcm(wav: Path) -> bytes:
    from app.speech.audio import load_pcm16k

    return load_pcm16k(wav)


def offline(engine: BenchEngine, wav: Path, hints: Any, runs: int) -> list[float]:
    """Seconds to transcribe the whole file at once, as ``parley transcribe`` does."""
    from app.speech.engines import choose_engine
    from app.speech.recognizer import transcribe_pcm

    pcm = _wav_pcm(wav)
    with tempfile.TemporaryDirectory(prefix="parley-bench-offline-") as tmp:
        choice = choose_engine(Path(tmp), engine.name, engine.model)
        choice.preload().result()
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            transcribe_pcm(choice.recognizer(hints, live=False), pcm)
            samples.append(time.perf_counter() - start)
    return samples


# -- the bench -------------------------------------------------------------------------
def run(quick: bool = False) -> list[Figure]:
    from app.rehearsal.session import card_hints

    pulse = start_pulse()  # before Qt's audio backend first connects
    feed = "PulseAudio vmic, real time" if pulse else "fake microphone, real time"
    runs = QUICK_RUNS if quick else RUNS
    figures: list[Figure] = []
    try:
        with tempfile.TemporaryDirectory(prefix="parley-bench-latency-") as tmp:
            root = Path(tmp)
            wav, text = long_answer(root)
            warm = short_answer(root)
            fake = FakeMicrophone() if pulse is None else None
            for engine in bench_engines():
                if not engine.english and quick:
                    continue
                cases = {"a": REACH_S, "b": 0.0} if engine.english else {"b": 0.0}
                n = runs if engine.english else STAND_IN_RUNS
                rig = Rig(root / f"data-{engine.name}", engine, "vmic" if pulse else "", fake)
                samples: dict[str, list[dict[str, Any]]] = {k: [] for k in cases}
                typed: list[float] = []
                try:
                    spoken(rig, pulse, fake, warm, 0.0)  # unmeasured: first decodes warm up
                    rig.next_question()
                    for _ in range(n):
                        for case, reach in cases.items():
                            samples[case].append(spoken(rig, pulse, fake, wav, reach, text))
                            rig.next_question()
                            typed.append(rig.typed(text))
                            rig.next_question()
                    card = rig.page.current
                    hints = card_hints(card) if card is not None else None
                finally:
                    rig.close()
                offline_s = offline(engine, wav, hints, OFFLINE_RUNS if engine.english else 1)
                figures += latency_figures(engine, samples, typed, offline_s, feed)
    finally:
        if pulse is not None:
            pulse.stop()
    return figures


def latency_figures(
    engine: BenchEngine,
    samples: dict[str, list[dict[str, Any]]],
    typed: list[float],
    offline_s: list[float],
    feed: str,
) -> list[Figure]:
    base = statistics.median(typed) * 1000
    common: dict[str, Any] = {"baseline": base, "baseline_name": "typed answer, same text"}
    label = engine.label
    audio_s = next(iter(samples.values()))[0]["audio_s"]
    out = []
    for case, runs in samples.items():
        how = f"stop {REACH_S:.0f} s after the last word" if case == "a" else "stop at once"
        detail: dict[str, Any] = {
            "feed": feed,
            "runs": runs,
            "typed_ms": [round(t * 1000, 1) for t in typed],
        }
        wers = [r["wer"] for r in runs if "wer" in r]
        if wers:
            detail["median_wer"] = statistics.median(wers)
        stop = statistics.median(r["stop_to_result_ms"] for r in runs)
        end = statistics.median(r["speech_end_to_result_ms"] for r in runs)
        out.append(
            Figure(
                "latency",
                f"({case}) {audio_s:.0f} s answer, {how}: stop → result shown, {label}",
                stop,
                "ms",
                budget=BUDGET_MS,
                detail=detail,
                **common,
            )
        )
        out.append(
            Figure(
                "latency",
                f"({case}) same: end of speech → result shown",
                end,
                "ms",
                # With the user's 1 s reach included the budget cannot apply; (b) is the
                # issue's figure.
                budget=BUDGET_MS if case == "b" else None,
                **common,
            )
        )
    out.append(
        Figure(
            "latency",
            f"offline: transcribing the same {audio_s:.0f} s at once (median of {len(offline_s)})",
            statistics.median(offline_s) * 1000,
            "ms",
            detail={"samples_ms": [round(s * 1000) for s in offline_s]},
            **common,
        )
    )
    return out


if __name__ == "__main__":
    standalone(run)
