"""The decoder process is handed arrays, never files, so it runs without PyAV's FFmpeg
libraries; whatever does ask PyAV for something still gets the real thing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from app.speech.audio import load_pcm16k
from app.speech.recognizer import Recognizer, transcribe_pcm
from app.speech.whisper_engine import WhisperRecognizer

ROOT = Path(__file__).resolve().parents[2]

READ_A_FILE = """
import json, sys
from app.speech.without_pyav import defer_pyav
deferred = defer_pyav()
import faster_whisper
before = type(sys.modules["av"]).__name__
audio = faster_whisper.decode_audio(sys.argv[1])  # the one use of PyAV: reading a file
print(json.dumps({"deferred": deferred, "before": before,
                  "after": type(sys.modules["av"]).__name__, "seconds": len(audio) / 16000}))
"""


def test_a_decoder_process_maps_no_ffmpeg_library(
    whisper: Callable[..., Recognizer], flite_wav: Callable[..., Path]
) -> None:
    recognizer = whisper(live=False)
    transcript = transcribe_pcm(recognizer, load_pcm16k(flite_wav("chunks of the policies")))
    assert isinstance(recognizer, WhisperRecognizer) and recognizer.decoder is not None
    assert "policies" in transcript.text.lower()
    maps = Path(f"/proc/{recognizer.decoder.pid}/maps").read_text(encoding="utf-8")
    assert "libctranslate2" in maps  # the decoder really is this process
    assert "libavcodec" not in maps and "libavformat" not in maps


def test_a_file_handed_to_faster_whisper_still_decodes_with_the_real_pyav(
    flite_wav: Callable[..., Path],
) -> None:
    pytest.importorskip("av")
    wav = flite_wav("read me from a file")
    done = subprocess.run(
        [sys.executable, "-c", READ_A_FILE, str(wav)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["deferred"] is True
    assert (seen["before"], seen["after"]) == ("_DeferredPyAV", "module")
    assert seen["seconds"] > 0.5
