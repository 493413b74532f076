"""Fixtures for the format tests; the packages themselves are built in anki_packages.py."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from anki_packages import (
    SOUND_BYTES,
    AnkiNoteSnapshot,
    AnkiPackages,
    ImportIntoAnki,
    _build_anki_packages,
    snapshot,
)


@pytest.fixture(scope="session")
def anki_packages(tmp_path_factory: pytest.TempPathFactory) -> AnkiPackages:
    return _build_anki_packages(tmp_path_factory.mktemp("anki"), with_scheduling=False)


@pytest.fixture(scope="session")
def scheduled_anki_packages(tmp_path_factory: pytest.TempPathFactory) -> AnkiPackages:
    return _build_anki_packages(tmp_path_factory.mktemp("anki-sched"), with_scheduling=True)


@pytest.fixture(params=["legacy", "current"])
def anki_package(request: pytest.FixtureRequest, anki_packages: AnkiPackages) -> Path:
    """Each test runs once with Anki's legacy export and once with the current one."""
    path: Path = getattr(anki_packages, request.param)
    return path


@pytest.fixture
def import_into_anki(tmp_path: Path) -> Iterator[ImportIntoAnki]:
    """Import a package into a fresh Anki collection; returns its notes by guid and the
    media folder."""
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    opened: list[Collection] = []

    def run(package: Path) -> tuple[dict[str, AnkiNoteSnapshot], Path]:
        folder = tmp_path / f"anki-target-{len(opened)}"
        folder.mkdir()
        col = Collection(str(folder / "target.anki2"))
        opened.append(col)
        request = ImportAnkiPackageRequest(
            package_path=str(package), options=ImportAnkiPackageOptions(with_scheduling=True)
        )
        col.import_anki_package(request)
        return snapshot(col), Path(col.media.dir())

    yield run
    for col in opened:
        col.close()


@pytest.fixture
def genanki_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A legacy package the way many shared decks are made: with genanki."""
    import genanki

    # genanki leaves its scratch database in the temp dir; keep it in ours.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    sound = tmp_path / "ping.mp3"
    sound.write_bytes(SOUND_BYTES)
    qa = genanki.Model(
        1_607_392_319,
        "Vocabulary",
        fields=[{"name": "Term"}, {"name": "Meaning"}, {"name": "Example"}],
        templates=[
            {
                "name": "Card 1",
                "qfmt": "{{Term}}",
                "afmt": "{{FrontSide}}<hr id=answer>{{Meaning}}<br>{{Example}}",
            }
        ],
    )
    cloze_model = genanki.Model(
        998_877_661,
        "Cloze",
        model_type=genanki.Model.CLOZE,
        fields=[{"name": "Text"}, {"name": "Extra"}],
        templates=[
            {"name": "Cloze", "qfmt": "{{cloze:Text}}", "afmt": "{{cloze:Text}}<br>{{Extra}}"}
        ],
    )
    deck = genanki.Deck(2_059_400_110, "Ops Vocabulary", description="Words <i>on call</i>")
    deck.add_note(
        genanki.Note(
            qa,
            ["latency", "delay before a response", "p99 latency"],
            tags=["perf"],
            guid="gen-latency",
        )
    )
    deck.add_note(
        genanki.Note(
            qa, ["ping [sound:ping.mp3]", "a round trip probe", ""], tags=["net"], guid="gen-ping"
        )
    )
    deck.add_note(
        genanki.Note(
            cloze_model,
            ["An {{c1::SLO}} is a target; an {{c2::SLA}} a promise", ""],
            guid="gen-slo",
        )
    )
    out = tmp_path / "ops.apkg"
    genanki.Package(deck, media_files=[str(sound)]).write_to_file(str(out))
    return out
