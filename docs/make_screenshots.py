"""Screenshots for the README: home, review and rehearsal (with a result), taken from a
real window at 1280x800. Run under Xvfb:

    xvfb-run -s "-screen 0 1280x800x24" .venv/bin/python docs/make_screenshots.py

The practice history is scripted in a throw-away data dir so the pictures show a
collection in use.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from app.core import services
from app.core.models import utcnow
from app.core.settings import Settings
from app.core.store import Store
from app.ui.application import create_window

DOCS = Path(__file__).resolve().parent
DECK = "RAG vs Fine-Tuning"


def wait_until(condition, timeout_ms: int = 20_000) -> None:  # type: ignore[no-untyped-def]
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(50)
    waited = 0

    def check() -> None:
        nonlocal waited
        waited += 50
        if condition() or waited > timeout_ms:
            loop.quit()

    timer.timeout.connect(check)
    timer.start()
    loop.exec()
    if not condition():
        raise SystemExit("timed out waiting for the window")


def settle(ms: int = 400) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def script_history(data_dir: Path) -> None:
    """A few days of reviews so home shows counts and 'last practised'."""
    store = Store.open(data_dir)
    now = utcnow()
    with store.session() as s:
        deck = services.find_deck(s, DECK)
        for day in range(3, 0, -1):
            when = now - timedelta(days=day)
            for card_id in services.due_queue(s, deck.id, when, 8, kind="flashcard")[:8]:
                services.review_card(s, card_id, 3, when)
    store.close()


def main() -> int:
    app = QApplication(sys.argv[:1])
    data_dir = Path(tempfile.mkdtemp(prefix="parley-shots-"))
    Settings(speak_questions=False, first_run_done=True).save(data_dir)
    script_history(data_dir)
    window = create_window(data_dir)
    window.resize(1280, 800)
    window.show()
    wait_until(lambda: bool(window.home.decks))
    settle()
    window.grab().save(str(DOCS / "home.png"))

    window.start_review(DECK)
    wait_until(lambda: window.review.current is not None)
    window.review.reveal()
    settle()
    window.grab().save(str(DOCS / "review.png"))

    window.go_home()
    window.start_rehearsal(DECK)
    page = window.rehearsal
    wait_until(lambda: page.current is not None and page.engine_choice is not None)
    card = page.current
    assert card is not None
    # Most of the model answer, with the way people really talk mixed in.
    sentences = card.model_answer.split(". ")
    answer = "Um, so basically " + ". ".join(sentences[:-1]) + ". I think that's it, you know."
    page.type_instead()
    page.typed.setPlainText(answer)
    page.submit_typed_answer()
    wait_until(lambda: page.stages.currentIndex() == 2)
    settle()
    window.grab().save(str(DOCS / "rehearsal.png"))
    window.close()
    app.processEvents()
    print(f"screenshots written to {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
