"""Screenshots for the README: home, review, rehearsal (with a result), the card
browser and statistics, from a real window at 1280x800, in the light or dark theme;
and the rehearsal result at 800x600. Run under an X server, for example:

    Xvfb :99 -screen 0 1920x1080x24 &
    DISPLAY=:99 QT_QPA_PLATFORM=xcb .venv/bin/python docs/make_screenshots.py --theme light
    DISPLAY=:99 QT_QPA_PLATFORM=xcb .venv/bin/python docs/make_screenshots.py --theme dark
    DISPLAY=:99 QT_QPA_PLATFORM=xcb .venv/bin/python docs/make_screenshots.py --small

Six weeks of practice are scripted in a throw-away data dir (make_stats_screenshot's
history) so the pictures show a collection in use. Light pictures are NAME.png, dark
ones NAME-dark.png.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

DOCS = Path(__file__).resolve().parent
sys.path[:0] = [str(DOCS.parent), str(DOCS)]

import make_stats_screenshot  # noqa: E402

from app.model.settings import Settings  # noqa: E402
from app.ui.application import create_window  # noqa: E402
from app.ui.main_window import MainWindow  # noqa: E402

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


def answer_a_prompt(window: MainWindow) -> None:
    """Type most of the model answer, with the way people really talk mixed in."""
    page = window.rehearsal
    wait_until(lambda: page.current is not None and page.engine_choice is not None)
    card = page.current
    assert card is not None
    sentences = card.model_answer.split(". ")
    answer = "Um, so basically " + ". ".join(sentences[:-1]) + ". I think that's it, you know."
    page.type_instead()
    page.typed.setPlainText(answer)
    page.submit_typed_answer()
    wait_until(lambda: page.stages.currentIndex() == 2)
    settle()


def shoot(window: MainWindow, name: str) -> None:
    path = DOCS / f"{name}.png"
    window.grab().save(str(path))
    print(f"{path.relative_to(DOCS.parent)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--theme", choices=("light", "dark"), default="light")
    parser.add_argument("--small", action="store_true", help="only the rehearsal result at 800x600")
    args = parser.parse_args()
    suffix = "-dark" if args.theme == "dark" else ""

    app = QApplication(sys.argv[:1])
    data_dir = Path(tempfile.mkdtemp(prefix="parley-shots-"))
    # One new card a day, so new ones are left for the review picture.
    make_stats_screenshot.NEW_PER_DAY = 1
    make_stats_screenshot.script_history(data_dir, datetime.now(UTC))
    Settings(speak_questions=False, first_run_done=True, theme=args.theme).save(data_dir)
    window = create_window(data_dir)
    window.resize(*((800, 600) if args.small else (1280, 800)))
    window.show()
    wait_until(lambda: bool(window.home.decks))
    settle()
    if args.small:
        window.start_rehearsal(DECK)
        answer_a_prompt(window)
        shoot(window, f"rehearsal-800x600{suffix}")
        window.close()
        return 0
    shoot(window, f"home{suffix}")

    window.start_review(DECK)
    wait_until(lambda: window.review.current is not None)
    window.review.reveal()
    settle()
    shoot(window, f"review{suffix}")

    window.go_home()
    window.start_rehearsal(DECK)
    answer_a_prompt(window)
    shoot(window, f"rehearsal{suffix}")

    window.rehearsal.leave()
    window.show_browser("fine-tuning")
    browser = window.browser
    wait_until(lambda: browser.model.rowCount() > 0)
    browser.table.selectRow(0)
    settle()
    shoot(window, f"browser{suffix}")

    window.go_home()
    window.show_stats()
    wait_until(lambda: window.stats.figures is not None)
    settle(800)  # the charts paint a turn after their data
    shoot(window, f"stats{suffix}")
    window.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
