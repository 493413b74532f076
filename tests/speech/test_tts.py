"""Parley reads questions aloud: each persona's line is rendered once, cached, and the
command line stays clean for scripts."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
import soundfile as sf

from app.speech import tts

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def _duration(path: Path) -> float:
    return float(sf.info(str(path)).duration)


def test_a_question_is_rendered_once_and_then_served_from_the_cache(tmp_path: Path) -> None:
    speaker = tts.Speaker(tmp_path / "cache")
    question = "How does retrieval keep answers current?"

    first = speaker.render_now(question)

    assert first.parent == tmp_path / "cache"
    assert first.suffix == ".wav" and len(first.stem) == 40  # a hash, not the text
    info = sf.info(str(first))
    assert info.frames > 0 and 1.0 < info.duration < 10.0
    renders = tts.engine_thread().renders
    stamp = first.stat().st_mtime_ns

    again = speaker.render(question)

    assert again.done()  # answered from the cache without queueing work
    assert again.result() == first
    assert tts.engine_thread().renders == renders
    assert first.stat().st_mtime_ns == stamp
    assert [p.name for p in first.parent.iterdir()] == [first.name]  # no temp files left


def test_two_lines_queued_back_to_back_both_render(tmp_path: Path) -> None:
    # pyttsx3 loses the first of two save_to_file calls queued in one run; each render
    # must be its own run.
    speaker = tts.Speaker(tmp_path / "cache")
    short = speaker.render("Yes.")
    long = speaker.render("Walk me through how the retriever chooses which passages to use.")

    short_path, long_path = short.result(timeout=60), long.result(timeout=60)

    assert short_path != long_path
    assert 0 < _duration(short_path) < 1.5
    assert _duration(long_path) > 2.5


def test_voice_and_rate_are_part_of_what_is_cached(tmp_path: Path) -> None:
    speaker = tts.Speaker(tmp_path / "cache", rate=170)
    line = "Our latency budget is two hundred milliseconds."

    slow = speaker.render_now(line, rate=100)
    fast = speaker.render_now(line, rate=300)
    american = speaker.render_now(line, voice="gmw/en-us")
    default = speaker.render_now(line)

    assert _duration(slow) > 1.5 * _duration(fast)
    assert len({slow, fast, american, default}) == 4
    assert american.read_bytes() != default.read_bytes()


def test_voices_can_be_listed_for_the_persona_picker() -> None:
    voices = tts.list_voices().result(timeout=60)
    ids = {v.id for v in voices}
    assert "gmw/en-us" in ids
    english = next(v for v in voices if v.id == "gmw/en-us")
    assert english.to_json()["languages"] == ["en-us"]


def test_an_unknown_voice_or_rate_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    speaker = tts.Speaker(tmp_path / "cache")
    with pytest.raises(tts.TtsError, match=r"Unknown voice 'klingon'.*parley voices"):
        speaker.render_now("Hello", voice="klingon")
    with pytest.raises(tts.TtsError, match="rate 5 is out of range"):
        speaker.render_now("Hello", rate=5)
    with pytest.raises(tts.TtsError, match="no text"):
        speaker.render_now("   ")
    assert not list((tmp_path / "cache").glob("*"))


def test_the_engine_lives_on_its_own_thread(tmp_path: Path) -> None:
    seen: list[str] = []
    tts.engine_thread().submit(lambda engine: seen.append(threading.current_thread().name))
    tts.Speaker(tmp_path / "cache").render_now("Thread check.")
    assert seen == ["tts-engine"]


def _parley(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_speak_on_the_command_line_writes_the_wav_and_nothing_else(tmp_path: Path) -> None:
    out = tmp_path / "question.wav"

    plain = _parley(
        "speak",
        "What does fine tuning change?",
        "-o",
        str(out),
        "--data-dir",
        str(tmp_path / "data"),
    )
    as_json = _parley(
        "speak",
        "And what does it not change?",
        "-o",
        str(tmp_path / "b.wav"),
        "--rate",
        "140",
        "--json",
        "--data-dir",
        str(tmp_path / "data"),
    )

    assert plain.returncode == 0, plain.stderr
    assert "Audio saved" not in plain.stdout + plain.stderr
    assert plain.stdout.strip().startswith(str(out))
    assert sf.info(str(out)).frames > 0
    assert as_json.returncode == 0, as_json.stderr
    payload = json.loads(as_json.stdout)  # the whole of stdout is JSON
    assert payload["path"] == str(tmp_path / "b.wav") and payload["duration_s"] > 1


def test_voices_on_the_command_line_are_json_clean(tmp_path: Path) -> None:
    done = _parley("voices", "--json", "--data-dir", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert any(v["id"] == "gmw/en-us" for v in json.loads(done.stdout))


def test_without_espeak_ng_the_user_is_told_what_to_install(tmp_path: Path) -> None:
    # Make the espeak-ng library impossible to load, exactly where pyttsx3 loads it.
    script = textwrap.dedent(
        f"""
        import ctypes, sys
        real = ctypes.cdll.LoadLibrary
        def load(name):
            if "espeak" in str(name):
                raise OSError(name + ": cannot open shared object file")
            return real(name)
        ctypes.cdll.LoadLibrary = load
        from app.cli.main import main
        sys.exit(main(["speak", "hello", "-o", {str(tmp_path / "x.wav")!r},
                       "--data-dir", {str(tmp_path)!r}]))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert "espeak-ng" in done.stderr and "apt install espeak-ng" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "x.wav").exists()
