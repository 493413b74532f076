"""A private PulseAudio server with a virtual microphone, for tests that record or play.

``make_pulse_fixtures()`` returns two fixtures to assign in a conftest:

    pulse_server, pulse_mic = make_pulse_fixtures()

``pulse_server`` (session) starts ``pulseaudio`` in the foreground as our own child,
with a null sink ``spk`` and ``vmic``, a source remapped from ``spk.monitor``, in a 0700
temporary runtime dir. It points this process at it through ``PULSE_SERVER`` and
yields a ``PulseMic`` — or None when pulseaudio is not installed, so it can safely be a
dependency of ``qapp`` (a server that is installed but fails to start is an error,
not a skip). ``pulse_mic`` is the same server, skipping the test when there
is none. Whatever ``PulseMic.play()`` plays comes out of ``vmic`` as microphone input.

Qt's PulseAudio backend connects once, when QMediaDevices is first used, so the server
must be up before that: make ``qapp`` (or ``qapp_cls``) depend on ``pulse_server``.
Tests then never touch the machine's real sound devices.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

SINK = "spk"
SOURCE = "vmic"


class PulseUnavailable(Exception):
    """The server could not be started (a real failure: tests should error)."""


class PulseNotInstalled(PulseUnavailable):
    """The tools are missing: tests that need them skip."""


@dataclass
class PulseMic:
    runtime_dir: Path
    process: subprocess.Popen[bytes]
    env: dict[str, str] = field(default_factory=dict)
    sink: str = SINK
    source: str = SOURCE

    @property
    def log(self) -> str:
        path = self.runtime_dir / "pulse.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def play(self, wav: str | os.PathLike[str]) -> subprocess.Popen[bytes]:
        """Starts speaking ``wav`` into the virtual microphone; returns the player.
        Its errors go to ``paplay.log`` in the runtime dir."""
        with open(self.runtime_dir / "paplay.log", "ab") as log:
            return subprocess.Popen(["paplay", "-d", self.sink, str(wav)], env=self.env, stderr=log)

    def pactl(self, *args: str) -> str:
        done = subprocess.run(
            ["pactl", *args], env=self.env, capture_output=True, text=True, timeout=10
        )
        if done.returncode != 0:
            raise PulseUnavailable(f"pactl {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.runtime_dir, ignore_errors=True)


def _die_with_parent() -> None:
    """Runs in the child: the kernel sends SIGTERM when the test process exits, so the
    daemon never outlives the tests even when it cannot be stopped at teardown."""
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def start_pulse(timeout: float = 20.0) -> PulseMic:
    """Starts a private server and waits until ``vmic`` exists."""
    for tool in ("pulseaudio", "pactl", "paplay"):
        if shutil.which(tool) is None:
            raise PulseNotInstalled(f"{tool} is not installed (apt install pulseaudio-utils)")
    runtime = Path(tempfile.mkdtemp(prefix="parley-pulse-"))
    runtime.chmod(0o700)
    socket = runtime / "pulse" / "native"
    env = {
        **os.environ,
        "XDG_RUNTIME_DIR": str(runtime),
        "HOME": str(runtime),  # the daemon keeps its cookie and state under HOME
        "PULSE_SERVER": f"unix:{socket}",
        "PULSE_COOKIE": str(runtime / "cookie"),
    }
    log = open(runtime / "pulse.log", "wb")  # noqa: SIM115 - the daemon keeps writing it
    process = subprocess.Popen(
        [
            "pulseaudio",
            "--daemonize=no",
            "-n",  # no default.pa: only the modules below
            "--exit-idle-time=-1",
            "--realtime=no",
            "--high-priority=no",
            "--log-target=stderr",
            "--load=module-native-protocol-unix auth-anonymous=1",
            f"--load=module-null-sink sink_name={SINK}",
            f"--load=module-remap-source master={SINK}.monitor source_name={SOURCE}",
        ],
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
        preexec_fn=_die_with_parent,
    )
    log.close()
    mic = PulseMic(runtime, process, env)
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            text = mic.log
            mic.stop()
            raise PulseUnavailable(f"pulseaudio exited ({process.returncode}): {text[-800:]}")
        try:
            if SOURCE in mic.pactl("list", "short", "sources"):
                break
        except (PulseUnavailable, subprocess.TimeoutExpired):
            pass  # not answering yet
        except BaseException:
            mic.stop()
            raise
        if time.monotonic() > deadline:
            mic.stop()
            raise PulseUnavailable("pulseaudio did not come up in time")
        time.sleep(0.1)
    try:
        mic.pactl("set-default-sink", SINK)
        mic.pactl("set-default-source", SOURCE)
    except BaseException:
        mic.stop()
        raise
    return mic


_LINGERING: list[PulseMic] = []


def _qt_is_connected() -> bool:
    if "PySide6.QtCore" not in sys.modules:
        return False
    from PySide6.QtCore import QCoreApplication

    return QCoreApplication.instance() is not None


def make_pulse_fixtures() -> tuple[Callable[..., Any], Callable[..., Any]]:
    missing: list[str] = []

    @pytest.fixture(scope="session")
    def pulse_server() -> Iterator[PulseMic | None]:
        try:
            mic = start_pulse()
        except PulseNotInstalled as err:
            missing.append(str(err))
            yield None
            return
        saved = {k: os.environ.get(k) for k in ("PULSE_SERVER", "PULSE_COOKIE")}
        os.environ["PULSE_SERVER"] = mic.env["PULSE_SERVER"]
        os.environ["PULSE_COOKIE"] = mic.env["PULSE_COOKIE"]
        try:
            yield mic
        finally:
            if _qt_is_connected():
                # Qt's PulseAudio backend lives until the QApplication is destroyed, after
                # every fixture, and may still (re)connect while closing: killing the
                # server or unsetting its address first makes libpulse abort the process.
                # The daemon is ended by the kernel when this process exits instead.
                _LINGERING.append(mic)  # no Popen.__del__ "still running" warning
                atexit.register(shutil.rmtree, mic.runtime_dir, ignore_errors=True)
            else:
                for key, value in saved.items():
                    if value is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = value
                mic.stop()

    @pytest.fixture
    def pulse_mic(pulse_server: PulseMic | None) -> PulseMic:
        if pulse_server is None:
            pytest.skip(f"no PulseAudio virtual microphone: {'; '.join(missing)}")
        return pulse_server

    return pulse_server, pulse_mic
