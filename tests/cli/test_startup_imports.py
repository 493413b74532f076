"""What ``parley import`` loads: the deck readers and the sqlite3 driver, not the speech
stack, Qt or SQLAlchemy.

Every command's parser is built at start-up, so a module-level import in any command
module is paid by every command. Importing a deck needs no audio, recogniser, scorer or
window; loading them cost a fifth of a second of each import (issue 15). Nor does it
need the ORM once the collection exists: SQLAlchemy's import was another fifth of a
second, and the import writes through the driver. The check runs the command in a fresh
interpreter, where ``sys.modules`` shows what it really loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from app.cli.speech_cmds import ENGINE_NAMES
from app.formats import write_deck
from app.model.deckdata import CardData, DeckData

# Top-level packages no deck import needs (numpy comes with the audio code; alembic and
# SQLAlchemy only with a collection that is new or needs a migration).
NOT_NEEDED = (
    "numpy", "soundfile", "faster_whisper", "ctranslate2", "vosk", "PySide6", "sqlalchemy",
    "alembic", "fsrs",
)  # fmt: skip
NOT_NEEDED_HERE = ("app.speech.engines", "app.speech.audio", "app.scoring", "app.ui")

_RUN = """
import json, sys
from app.cli.main import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def run_parley(*args: str) -> tuple[int, set[str]]:
    """Run a command in a fresh interpreter: its exit code and every module it loaded."""
    done = subprocess.run(
        [sys.executable, "-c", _RUN, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.splitlines()[-1])
    return result["code"], set(result["modules"])


def test_importing_an_anki_package_loads_no_speech_scoring_gui_or_orm_code(
    tmp_path: Path,
) -> None:
    package = tmp_path / "startup.apkg"
    card = CardData(guid="startup-1", kind="flashcard", front="What is TCP?", back="A protocol")
    write_deck(DeckData(name="Startup", cards=[card]), package)
    data = str(tmp_path / "data")
    first_run, _ = run_parley("decks", "--data-dir", data)  # makes and seeds the collection
    assert first_run == 0
    code, modules = run_parley("import", str(package), "--data-dir", data)
    assert code == 0
    assert "app.formats.apkg" in modules  # the command did read the package
    assert "app.core.deck_import" in modules  # and wrote it
    heavy = sorted(
        name
        for name in modules
        if name.split(".")[0] in NOT_NEEDED or name.startswith(NOT_NEEDED_HERE)
    )
    assert heavy == []


def test_the_cli_offers_the_engines_of_the_registry_in_its_order() -> None:
    from app.speech.engines import ENGINES

    assert tuple(spec.name for spec in ENGINES) == ENGINE_NAMES
