"""A study session driven through the real window, for the kill test.

Run as ``python drive_session.py DATA_DIR``. It opens the app the way ``parley gui`` does
(``create_window``: store opened on the DB worker, backups on start), starts a flashcard
review from the home page with the R key and answers every card with Space then 3. After
each rating it also saves a role-play attempt the way the rehearsal page does: the
recording written atomically off the GUI thread, then the attempt stored on the DB worker.

Each finished unit of work is printed only after its transaction has committed::

    review <review_log id>
    attempt <attempt id> <recording path>

so the parent may SIGKILL this process at any moment and then check that everything
printed survived.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.core import services
from app.model.paths import recordings_dir
from app.speech.audio import write_wav_atomic
from app.ui.application import create_window

DECK = "RAG vs Fine-Tuning"
SECOND_OF_AUDIO = b"\x01\x02" * 16_000


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main(data_dir: Path) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = create_window(data_dir)
    backend = window.backend
    page = window.review
    roleplays: list[int] = []
    printed = 0

    def begin() -> None:
        def found(ids: list[int]) -> None:
            roleplays.extend(ids)
            window.home.list.setFocus()
            QTest.keyClick(window.home.list, Qt.Key.Key_R)
            QTimer.singleShot(0, answer)

        backend.db(lambda s: [c.id for c in services.list_cards(s, DECK, "roleplay")], found)

    def answer() -> None:
        if page.current is None:  # still loading, or the session is over
            if page.stack.currentIndex() == 1:
                say("finished")
                app.quit()
            else:
                QTimer.singleShot(5, answer)
            return
        QTest.keyClick(page, Qt.Key.Key_Space)
        QTest.keyClick(page, Qt.Key.Key_3)

    def committed() -> None:
        nonlocal printed
        while printed < len(page.done):
            say(f"review {page.done[printed].log_id}")
            record_attempt(printed)
            printed += 1
        QTimer.singleShot(0, answer)

    def record_attempt(n: int) -> None:
        card_id = roleplays[n % len(roleplays)]
        wav = recordings_dir(data_dir) / f"answer-{n:04d}.wav"

        def recorded(path: Path) -> None:
            data = services.AttemptData(
                transcript=f"spoken answer {n}",
                coverage=0.5,
                result={"key_points": [], "delivery": {"wpm": 150.0, "fillers": {}}},
                engine="test",
                duration_s=1.0,
                audio_path=str(path),
            )
            backend.db(
                lambda s: services.record_attempt(s, card_id, data),
                lambda attempt_id: say(f"attempt {attempt_id} {path}"),
            )

        backend.tasks.background(
            lambda: write_wav_atomic(wav, SECOND_OF_AUDIO), on_success=recorded
        )

    backend.collection_changed.connect(committed)
    window.home.decks_shown.connect(begin, Qt.ConnectionType.SingleShotConnection)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
