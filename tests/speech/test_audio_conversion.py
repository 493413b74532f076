"""A user can bring a WAV of any flavour; the recognisers always get 16 kHz mono int16."""

from __future__ import annotations

import os
import wave
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from app.speech import audio

TONE_HZ = 440.0
SECONDS = 1.5


def _tone(rate: int, channels: int) -> np.ndarray:
    t = np.arange(int(rate * SECONDS)) / rate
    mono = 0.5 * np.sin(2 * np.pi * TONE_HZ * t)
    if channels == 1:
        return mono.astype(np.float32)
    # A second channel that is silent: the downmix must halve, not drop, the signal.
    return np.stack([mono, np.zeros_like(mono)], axis=1).astype(np.float32)


def _dominant_hz(pcm: bytes) -> float:
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / audio.TARGET_RATE)[spectrum.argmax()])


@pytest.mark.parametrize("subtype", ["PCM_U8", "PCM_16", "PCM_24", "PCM_32", "FLOAT", "DOUBLE"])
@pytest.mark.parametrize("rate", [8000, 16000, 22050, 44100, 48000])
@pytest.mark.parametrize("channels", [1, 2])
def test_any_wav_becomes_16k_mono_int16_of_the_same_length_and_pitch(
    tmp_path: Path, subtype: str, rate: int, channels: int
) -> None:
    path = tmp_path / f"tone-{subtype}-{rate}-{channels}.wav"
    sf.write(path, _tone(rate, channels), rate, subtype=subtype)

    pcm = audio.load_pcm16k(path)

    assert audio.pcm_duration(pcm) == pytest.approx(SECONDS, abs=1 / audio.TARGET_RATE)
    assert _dominant_hz(pcm) == pytest.approx(TONE_HZ, abs=2)
    samples = np.frombuffer(pcm, dtype="<i2")
    expected_peak = 0.5 / channels  # the silent channel halves a stereo tone
    assert samples.max() / 32768 == pytest.approx(expected_peak, rel=0.05)


def test_downsampling_removes_what_16k_cannot_carry(tmp_path: Path) -> None:
    # 12 kHz is above the 8 kHz Nyquist limit of 16 kHz audio: naive decimation would
    # fold it back to 4 kHz, into the speech band.
    rate = 48000
    t = np.arange(rate) / rate
    path = tmp_path / "whistle.wav"
    sf.write(path, (0.5 * np.sin(2 * np.pi * 12000 * t)).astype(np.float32), rate)

    samples = np.frombuffer(audio.load_pcm16k(path), dtype="<i2")

    assert np.abs(samples[200:-200]).max() < 0.01 * 32768


def test_streaming_in_odd_chunks_gives_the_same_audio_as_one_pass() -> None:
    x = np.random.default_rng(7).uniform(-0.5, 0.5, 44100).astype(np.float32)
    whole = audio.StreamResampler(44100, 16000)
    once = np.concatenate([whole.feed(x), whole.flush()])
    stream = audio.StreamResampler(44100, 16000)
    pieces = [stream.feed(x[i : i + 1037]) for i in range(0, len(x), 1037)]
    streamed = np.concatenate([*pieces, stream.flush()])
    assert len(streamed) == len(once) == 16000
    np.testing.assert_allclose(streamed, once, atol=1e-6)


def test_a_file_that_is_not_a_wav_is_refused_by_name(tmp_path: Path) -> None:
    notes = tmp_path / "notes.wav"
    notes.write_text("these are my notes, not audio")
    with pytest.raises(audio.AudioFileError, match=r"notes\.wav"):
        audio.load_pcm16k(notes)

    flac = tmp_path / "answer.flac"
    sf.write(flac, _tone(16000, 1), 16000, format="FLAC")
    with pytest.raises(audio.AudioFileError, match=r"answer\.flac: not a WAV"):
        audio.load_pcm16k(flac)

    with pytest.raises(audio.AudioFileError, match=r"missing\.wav: no such file"):
        audio.load_pcm16k(tmp_path / "missing.wav")


def test_a_truncated_wav_is_refused_by_name(tmp_path: Path) -> None:
    good = tmp_path / "good.wav"
    sf.write(good, _tone(16000, 1), 16000, subtype="PCM_16")
    broken = tmp_path / "broken.wav"
    broken.write_bytes(good.read_bytes()[:30])
    with pytest.raises(audio.AudioFileError, match=r"broken\.wav"):
        audio.load_pcm16k(broken)


def test_recordings_are_written_whole_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pcm = audio.to_int16_bytes(_tone(16000, 1))
    target = tmp_path / "recordings" / "answer.wav"

    audio.write_wav_atomic(target, pcm)

    with wave.open(str(target)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (16000, 1, 2)
        assert w.readframes(w.getnframes()) == pcm
    assert [p.name for p in target.parent.iterdir()] == ["answer.wav"]

    def disk_full(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)  # the rename that publishes the file
    with pytest.raises(OSError, match="No space"):
        audio.write_wav_atomic(tmp_path / "recordings" / "second.wav", pcm)
    assert [p.name for p in target.parent.iterdir()] == ["answer.wav"]
