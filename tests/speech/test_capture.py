"""The user answers into the microphone: the level meter moves, a live caption appears,
and on stop the transcript arrives with the recording saved. A PulseAudio virtual
microphone (tests/pulse_mic.py) carries real synthesised speech into Qt."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtMultimedia import QAudioDevice, QAudioFormat
from pytestqt.qtbot import QtBot

from app.model.paths import recordings_dir
from app.speech import audio
from app.speech.capture import FormatConverter, Recorder
from app.speech.microphone import NoInputDeviceError, find_device, input_devices
from app.speech.recognizer import Recognizer, Transcript
from app.speech.vosk_engine import VoskRecognizer

from pulse_mic import PulseMic
from transcripts import heard

pytestmark = [pytest.mark.slow, pytest.mark.pulse]
REPO = Path(__file__).resolve().parents[2]
ANSWER = "We store the documents in a vector database and retrieve the closest chunks."
SAID = {"store", "documents", "vector", "database", "retrieve", "closest", "chunks"}


def record(
    qtbot: QtBot,
    mic: PulseMic,
    recorder: Recorder,
    recognizer: Recognizer,
    wav: Path,
) -> tuple[Transcript, Path]:
    """Starts recording, speaks ``wav`` into the virtual mic, stops once it is all in."""
    with qtbot.waitSignal(recorder.level, timeout=20_000):  # audio is flowing
        recorder.start(recognizer, "vmic")
    began = recorder.recorded_seconds
    player = mic.play(wav)
    qtbot.waitUntil(lambda: player.poll() is not None, timeout=60_000)
    assert player.returncode == 0, (mic.runtime_dir / "paplay.log").read_text()
    spoken = audio.pcm_duration(audio.load_pcm16k(wav))
    qtbot.waitUntil(lambda: recorder.recorded_seconds > began + spoken + 0.6, timeout=30_000)
    with qtbot.waitSignal(recorder.finished, timeout=120_000) as done:
        recorder.stop()
    assert done.args is not None
    transcript, path = done.args
    return transcript, Path(path)


def test_the_virtual_microphone_is_an_input_device(qapp: object, pulse_mic: PulseMic) -> None:
    devices = input_devices()
    assert "vmic" in [d.id for d in devices], devices
    assert (
        find_device("vmic").description() == next(d for d in devices if d.id == "vmic").description
    )
    assert not find_device().isNull()


def test_an_answer_is_transcribed_while_spoken_and_saved(
    qtbot: QtBot,
    pulse_mic: PulseMic,
    flite_wav: Callable[..., Path],
    data_dir: Path,
    whisper: Callable[..., Recognizer],
) -> None:
    recorder = Recorder(data_dir)
    levels: list[float] = []
    captions: list[str] = []
    recorder.level.connect(levels.append)
    recorder.partial.connect(captions.append)

    transcript, wav = record(qtbot, pulse_mic, recorder, whisper(), flite_wav(ANSWER, "slt"))

    assert transcript.engine == "whisper"
    # tiny.en on a synthetic voice may mishear a word or two; most must come through.
    assert len(SAID & heard(transcript.text)) >= 4, transcript.text
    assert transcript.words and all(w.end >= w.start for w in transcript.words)
    assert max(levels) > 0.2 and min(levels) < 0.05  # speech and the silence around it
    assert captions and "documents" in heard(" ".join(captions))
    assert wav.parent == recordings_dir(data_dir) and wav.suffix == ".wav"
    with wave.open(str(wav)) as saved:
        assert (saved.getframerate(), saved.getnchannels(), saved.getsampwidth()) == (16000, 1, 2)
        assert saved.getnframes() / 16000 == pytest.approx(transcript.duration_s, abs=0.01)
    assert not recorder.recording
    assert [p.name for p in wav.parent.iterdir()] == [wav.name]  # no temp files


def test_a_device_without_16k_mono_is_captured_in_its_own_format_and_converted(
    qtbot: QtBot,
    pulse_mic: PulseMic,
    flite_wav: Callable[..., Path],
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    whisper: Callable[..., Recognizer],
) -> None:
    monkeypatch.setattr(QAudioDevice, "isFormatSupported", lambda self, fmt: False)
    preferred = find_device("vmic").preferredFormat()
    assert (preferred.sampleRate(), preferred.channelCount()) != (16000, 1)

    transcript, wav = record(
        qtbot, pulse_mic, Recorder(data_dir), whisper(), flite_wav(ANSWER, "slt")
    )

    assert len(SAID & heard(transcript.text)) >= 4, transcript.text
    with wave.open(str(wav)) as saved:
        assert (saved.getframerate(), saved.getnchannels()) == (16000, 1)


def test_a_recogniser_that_cannot_start_reports_and_releases_the_microphone(
    qtbot: QtBot, pulse_mic: PulseMic, data_dir: Path, tmp_path: Path
) -> None:
    recorder = Recorder(data_dir)
    with qtbot.waitSignal(recorder.failed, timeout=20_000) as failed:
        recorder.start(VoskRecognizer(tmp_path / "no-such-model"), "vmic")
    assert failed.args is not None
    assert "no-such-model" in failed.args[0] and "Vosk model" in failed.args[0]
    assert not recorder.recording


def test_a_missing_microphone_is_named_clearly(
    qapp: object, pulse_mic: PulseMic, whisper: Callable[..., Recognizer]
) -> None:
    with pytest.raises(NoInputDeviceError, match="'USB headset' is not available"):
        Recorder(Path("unused")).start(whisper(), "USB headset")


def test_with_no_sound_system_at_all_the_user_is_told(tmp_path: Path) -> None:
    # A fresh process: Qt's audio backend connects once, and this one finds no server.
    script = textwrap.dedent(
        """
        from pathlib import Path
        from PySide6.QtCore import QCoreApplication
        from app.model.errors import KnownError
        from app.speech.capture import Recorder
        from app.speech.microphone import input_devices
        from app.speech.vosk_engine import VoskRecognizer
        app = QCoreApplication([])
        print("devices:", len(input_devices()))
        try:
            Recorder(Path(".")).start(VoskRecognizer(Path("no-model")))
        except KnownError as err:
            print("message:", err)
        """
    )
    env = {
        **os.environ,
        "PULSE_SERVER": f"unix:{tmp_path / 'no-server'}",
        "XDG_RUNTIME_DIR": str(tmp_path),
        "QT_QPA_PLATFORM": "offscreen",
    }
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "devices: 0" in done.stdout
    assert "message: No microphone was found" in done.stdout


def test_device_audio_in_any_format_converts_in_odd_sized_pieces() -> None:
    fmt = QAudioFormat()
    fmt.setSampleRate(48000)
    fmt.setChannelCount(2)
    fmt.setSampleFormat(QAudioFormat.SampleFormat.Float)
    t = np.arange(48000) / 48000
    stereo = np.stack([np.sin(2 * np.pi * 300 * t), np.sin(2 * np.pi * 300 * t)], axis=1)
    raw = (0.4 * stereo).astype("<f4").tobytes()
    converter = FormatConverter(fmt)

    out = b"".join(converter.convert(raw[i : i + 1001]) for i in range(0, len(raw), 1001))
    out += converter.flush()

    assert out == audio.convert((0.4 * stereo).astype(np.float32), 48000)
    assert audio.pcm_duration(out) == pytest.approx(1.0)
