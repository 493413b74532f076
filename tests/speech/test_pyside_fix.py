"""A long practice session emits thousands of Qt signals from Python; with the PySide6
workaround installed the process neither loses references nor aborts at exit."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

SESSION = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QCoreApplication, QObject, Signal
    if sys.argv[1] == "fixed":
        from app.speech import pyside_fix
        pyside_fix.install()
    app = QCoreApplication([])

    class Meter(QObject):
        level = Signal(float)

    meter = Meter()
    heard = []
    before = sys.getrefcount(True)
    for i in range(5000):  # about ten minutes of level updates
        meter.level.connect(heard.append)
        meter.level.emit(i / 5000)
        meter.level.disconnect(heard.append)
    print(len(heard), before - sys.getrefcount(True))
    """
)


def run_session(mode: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SESSION, mode],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
    )


def test_thousands_of_emits_keep_the_process_healthy() -> None:
    done = run_session("fixed")

    assert done.returncode == 0, done.stderr
    heard, lost = map(int, done.stdout.split())
    assert heard == 5000
    assert abs(lost) < 50  # steady, give or take other interpreter activity
    assert "Fatal Python error" not in done.stderr


def test_the_workaround_is_only_applied_where_the_bug_is() -> None:
    from app.speech import pyside_fix

    unfixed = run_session("unfixed")
    has_bug = unfixed.returncode != 0 or int(unfixed.stdout.split()[1]) >= 5000

    assert pyside_fix.install() is has_bug
