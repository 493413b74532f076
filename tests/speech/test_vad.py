"""Listening for speech happens in the app process, which must stay small: detecting a
voice loads Silero on onnxruntime, and nothing of the Whisper decoder's libraries."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LISTEN = """
import json, sys
import numpy as np
from app.speech.audio import from_int16_bytes, load_pcm16k
from app.speech.vad import SpeechTracker
tracker = SpeechTracker()
tracker.feed(from_int16_bytes(load_pcm16k(sys.argv[1])))
heavy = ["faster_whisper", "ctranslate2", "av", "tokenizers"]
print(json.dumps({"heard": tracker.heard_speech, "loaded": [m for m in heavy if m in sys.modules]}))
"""


def test_hearing_a_voice_loads_none_of_the_decoders_libraries(
    flite_wav: Callable[..., Path],
) -> None:
    wav = flite_wav("the index answers questions about the policies")
    done = subprocess.run(
        [sys.executable, "-c", LISTEN, str(wav)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {"heard": True, "loaded": []}
