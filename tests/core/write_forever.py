"""A Parley process that keeps writing, for the one-owner tests.

Run as ``python write_forever.py DATA_DIR NAME STOP_FILE``. It opens the collection the
way every command does (``Store.open``), then commits one card at a time into the deck
``NAME``, printing ``ack <guid>`` only after each commit has returned, until ``STOP_FILE``
exists (or a minute has passed). It prints ``open`` once the store is open and ``closed``
once it has let go of it; a failure is printed as ``error <one line>``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.core.models import Card, Deck
from app.core.store import Store
from app.model.errors import KnownError


def main(data_dir: Path, name: str, stop: Path) -> int:
    try:
        store = Store.open(data_dir, seed=False)
    except KnownError as err:
        print(f"error {err}", flush=True)
        return 1
    print("open", flush=True)
    with store.session() as s:
        deck = Deck(name=name)
        s.add(deck)
        s.flush()
        deck_id = deck.id
    deadline = time.monotonic() + 60
    i = 0
    while not stop.exists() and time.monotonic() < deadline:
        guid = f"{name}-{i}"
        with store.session() as s:
            s.add(Card(deck_id=deck_id, guid=guid, kind="flashcard", front=guid))
        print(f"ack {guid}", flush=True)
        i += 1
        time.sleep(0.01)
    store.close()
    print("closed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])))
