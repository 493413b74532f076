"""Render docs/stats.png: the statistics screen over six weeks of scripted practice.

Run under a real X server at 1280x800, for example::

    Xvfb :99 -screen 0 1280x800x24 &
    DISPLAY=:99 QT_QPA_PLATFORM=xcb .venv/bin/python docs/make_stats_screenshot.py

The practice history is generated with a fixed random seed through the same services the
app uses (``review_card`` per rating, ``record_attempt`` per spoken answer), on a fake
clock that walks day by day up to now.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.core import services  # noqa: E402
from app.core.store import Store  # noqa: E402
from app.model.settings import Settings  # noqa: E402

DECK = "RAG vs Fine-Tuning"
DAYS = 42
NEW_PER_DAY = 2  # a big deck taken slowly: new cards all the way through
FILLERS = ("um", "uh", "like", "you know")


def _rating(rng: random.Random, progress: float) -> int:
    """Lapses get rarer as the weeks go by."""
    roll = rng.random()
    again = 0.22 - 0.12 * progress
    if roll < again:
        return 1
    if roll < again + 0.08:
        return 2
    return 4 if roll > 0.9 else 3


def _attempt(rng: random.Random, card: services.CardView, n: int, progress: float) -> dict:
    """A spoken answer: more key points met with practice, a calmer pace, fewer fillers."""
    chance = min(0.95, 0.3 + 0.17 * n + 0.1 * progress)
    points = [(kp.label, rng.random() < chance) for kp in card.key_points]
    duration = rng.uniform(45, 95)
    wpm = rng.gauss(178 - 32 * progress, 7)
    fpm = max(0.3, rng.gauss(7.5 - 5 * progress, 0.8))
    count = round(fpm * duration / 60)
    fillers: dict[str, int] = {}
    for _ in range(count):
        word = rng.choice(FILLERS)
        fillers[word] = fillers.get(word, 0) + 1
    said = [label for label, met in points if met]
    transcript = "So the short answer is: " + "; ".join(said) + "." if said else "I'm not sure, um."
    return {
        "transcript": transcript,
        "coverage": sum(met for _l, met in points) / max(1, len(points)),
        "duration_s": duration,
        "result": {
            "key_points": [
                {"label": label, "met": met, "evidence": label if met else None}
                for label, met in points
            ],
            "delivery": {
                "duration_s": round(duration, 2),
                "wpm": round(wpm, 1),
                "fillers": fillers,
                "fillers_per_minute": round(count / (duration / 60), 2),
                "long_pauses": rng.randint(0, 3),
                "hedges": rng.randint(0, 2),
            },
        },
    }


def script_history(data_dir: Path, now: datetime, seed: int = 7) -> None:
    """Six weeks of flashcard reviews and role-play answers ending at ``now``."""
    rng = random.Random(seed)
    store = Store.open(data_dir)
    with store.session() as s:
        deck_id = services.find_deck(s, DECK).id
        plays = services.list_cards(s, DECK, "roleplay")[:6]
    tries: dict[int, int] = {}
    for offset in range(-DAYS + 1, 1):
        if offset and rng.random() < 0.22:
            continue  # a day off
        progress = (offset + DAYS) / DAYS
        clock = now + timedelta(days=offset, minutes=-90 - rng.randint(0, 600))
        for _pass in range(3):  # learning steps come back within the session
            with store.session() as s:
                queue = services.due_queue(s, deck_id, clock, NEW_PER_DAY, kind="flashcard")
            if not queue:
                break
            for card_id in queue:
                clock += timedelta(seconds=rng.randint(8, 40))
                with store.session() as s:
                    services.review_card(s, card_id, _rating(rng, progress), clock)
            clock += timedelta(minutes=11)
        for _ in range(rng.choice((0, 1, 1, 2))):
            card = rng.choice(plays)
            n = tries.get(card.id, 0)
            tries[card.id] = n + 1
            a = _attempt(rng, card, n, progress)
            clock += timedelta(minutes=3)
            data = services.AttemptData(
                transcript=a["transcript"],
                coverage=a["coverage"],
                result=a["result"],
                engine="vosk",
                duration_s=a["duration_s"],
                created_at=clock,
            )
            with store.session() as s:
                attempt_id = services.record_attempt(s, card.id, data)
                rating = 3 if a["coverage"] >= 0.75 else 2 if a["coverage"] >= 0.5 else 1
                services.review_card(s, card.id, rating, clock, attempt_id=attempt_id)
    store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", default=str(ROOT / "docs" / "stats.png"))
    parser.add_argument("--data-dir", help="default: a fresh temporary folder")
    parser.add_argument(
        "--tab", choices=("overview", "history"), default="overview", help="which tab to show"
    )
    parser.add_argument("--theme", choices=("light", "dark"), default="light")
    parser.add_argument("--size", default="1280x800", help="window size, WIDTHxHEIGHT")
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.lower().split("x"))

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    # Pin the page's clock to this evening so the picture always shows a day's practice,
    # whatever time the docs are built.
    import app.ui.stats_page as stats_page
    from app.ui.application import create_window

    now = datetime.now().astimezone().replace(hour=19, minute=30, second=0, microsecond=0)
    stats_page.utcnow = lambda: now.astimezone(UTC)  # type: ignore[assignment]

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(args.data_dir or tmp)
        script_history(data_dir, now.astimezone(UTC))
        Settings(theme=args.theme, first_run_done=True, speak_questions=False).save(data_dir)
        app = QApplication.instance() or QApplication(sys.argv[:1])
        app.setApplicationName("Parley")
        window = create_window(data_dir)
        window.resize(width, height)
        window.show()

        def shoot(_figures: object) -> None:
            # One more turn of the event loop so the charts have painted.
            def grab() -> None:
                image = window.grab()
                image.save(args.output, "PNG")
                print(f"{args.output}: {image.width()}x{image.height()}")
                window.close()
                app.quit()

            QTimer.singleShot(400, grab)

        def open_stats() -> None:
            window.stack.setCurrentWidget(window.stats)
            window.stats.tabs.setCurrentIndex(1 if args.tab == "history" else 0)
            window.stats.show_deck(DECK)

        window.stats.loaded.connect(shoot)
        window.backend.store_ready.connect(open_stats)
        QTimer.singleShot(60_000, app.quit)  # never hang a docs build
        app.exec()
    return 0


if __name__ == "__main__":
    sys.exit(main())
