"""Fixtures for deck format tests: real Anki packages built with the ``anki`` library and
with genanki, and a way to import a package into a fresh Anki collection."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SOUND_BYTES = b"ID3\x03\x00\x00\x00fake mp3 frames"


@dataclass
class AnkiNoteSnapshot:
    guid: str
    notetype: str
    fields: list[str]
    tags: list[str]
    cards: int


@dataclass
class AnkiPackages:
    """Packages exported by the anki library from one collection, and its notes."""

    legacy: Path
    current: Path
    notes: dict[str, AnkiNoteSnapshot] = field(default_factory=dict)
    guids: dict[str, str] = field(default_factory=dict)  # role in the fixture -> note guid


def snapshot(col) -> dict[str, AnkiNoteSnapshot]:  # type: ignore[no-untyped-def]
    out = {}
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        out[note.guid] = AnkiNoteSnapshot(
            guid=note.guid,
            notetype=note.note_type()["name"],
            fields=list(note.fields),
            tags=sorted(note.tags),
            cards=len(note.cards()),
        )
    return out


def _build_anki_packages(folder: Path, *, with_scheduling: bool) -> AnkiPackages:
    from anki.collection import Collection, DeckIdLimit, ExportAnkiPackageOptions

    col = Collection(str(folder / "source.anki2"))
    try:
        (Path(col.media.dir()) / "syn.mp3").write_bytes(SOUND_BYTES)
        deck_id = col.decks.id("Networking::Transport")
        guids = {}
        nids = {}

        def add(role: str, notetype: str, values: dict[str, str], tags: list[str]) -> None:
            note = col.new_note(col.models.by_name(notetype))
            for key, value in values.items():
                note[key] = value
            note.tags = tags
            col.add_note(note, deck_id)
            guids[role] = note.guid
            nids[role] = note.id

        add(
            "basic",
            "Basic",
            {
                "Front": "What does <b>TCP</b> guarantee?&nbsp;[sound:syn.mp3]",
                "Back": "Ordered, reliable delivery<br>of a byte stream",
            },
            ["transport", "tcp"],
        )
        add("plain", "Basic", {"Front": "Port of HTTPS", "Back": "443"}, ["ports"])
        add(
            "reversed",
            "Basic (and reversed card)",
            {"Front": "SYN", "Back": "synchronise"},
            ["handshake"],
        )
        add(
            "cloze",
            "Cloze",
            {
                "Text": "{{c1::TCP}} is connection-oriented, {{c2::UDP::protocol}} is not",
                "Back Extra": "Both sit on IP",
            },
            ["cloze", "transport"],
        )
        add(
            "html",
            "Basic",
            {
                "Front": "<div>Script-free<script>alert('x')</script></div><style>b{}</style>",
                "Back": '<img src="diagram.png">a &lt; b &amp;&amp; c',
            },
            ["html"],
        )
        if with_scheduling:
            card = col.get_note(nids["plain"]).cards()[0]
            card.type = card.queue = 2
            card.ivl = 12
            card.due = col.sched.today + 5
            card.reps, card.lapses, card.factor = 4, 1, 2500
            col.update_card(card)
        notes = snapshot(col)
        paths = {}
        for legacy in (True, False):
            out = folder / f"networking-{'legacy' if legacy else 'current'}.apkg"
            options = ExportAnkiPackageOptions(
                with_scheduling=with_scheduling,
                with_deck_configs=False,
                with_media=True,
                legacy=legacy,
            )
            col.export_anki_package(out_path=str(out), options=options, limit=DeckIdLimit(deck_id))
            paths[legacy] = out
    finally:
        col.close()
    return AnkiPackages(legacy=paths[True], current=paths[False], notes=notes, guids=guids)


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
def import_into_anki(tmp_path: Path) -> Iterator[object]:
    """Import a package into a fresh Anki collection; returns its notes by guid and the
    media folder."""
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    opened = []

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
