"""A user takes an Anki deck into Parley and later back to Anki: nothing is lost."""

from __future__ import annotations

from pathlib import Path

from app.formats import read_deck, write_deck
from app.formats.apkg import read_apkg
from app.formats.apkg_write import write_apkg
from app.formats.htmltext import html_to_text

from anki_packages import SOUND_BYTES, AnkiPackages, ImportIntoAnki


def plain(fields: list[str]) -> list[str]:
    return [html_to_text(f).text for f in fields]


def test_anki_to_parley_to_anki_keeps_every_note(
    anki_package: Path,
    anki_packages: AnkiPackages,
    import_into_anki: ImportIntoAnki,
    tmp_path: Path,
) -> None:
    deck = read_apkg(anki_package, staging_dir=tmp_path / "staging")
    exported = tmp_path / "back-to-anki.apkg"
    write_apkg(deck, exported)

    notes, media = import_into_anki(exported)
    original = anki_packages.notes

    assert notes.keys() == original.keys()
    for role in ("plain", "reversed"):
        guid = anki_packages.guids[role]
        assert notes[guid].fields == original[guid].fields
        assert notes[guid].tags == original[guid].tags
        assert notes[guid].cards == original[guid].cards
    for guid, note in notes.items():
        assert note.tags == original[guid].tags
        assert plain(note.fields) == plain(original[guid].fields)
    cloze = anki_packages.guids["cloze"]
    assert notes[cloze].fields == original[cloze].fields  # deletions and hint rebuilt
    assert notes[cloze].cards == 2
    assert (media / "syn.mp3").read_bytes() == SOUND_BYTES
    assert "[sound:syn.mp3]" in notes[anki_packages.guids["basic"]].fields[0]


def test_a_parley_deck_exported_to_anki_reads_back_the_same(
    import_into_anki: ImportIntoAnki, tmp_path: Path
) -> None:
    builtin = read_deck(Path(__file__).parents[2] / "content" / "rag-vs-fine-tuning.toml")
    exported = tmp_path / "rag.apkg"
    write_deck(builtin, exported)

    notes, _ = import_into_anki(exported)
    again = read_apkg(exported)

    assert len(notes) == len(builtin.cards)
    assert {n.notetype for n in notes.values()} == {"Basic (Parley)", "Parley Role-play"}
    assert again.name == builtin.name
    assert again.description == builtin.description
    assert [c.guid for c in again.cards] == [c.guid for c in builtin.cards]
    for mine, theirs in zip(builtin.cards, again.cards, strict=True):
        assert (theirs.front, theirs.back, theirs.tags) == (mine.front, mine.back, mine.tags)
        assert theirs.key_points == mine.key_points
        assert theirs.model_answer == mine.model_answer.strip()


def test_scheduled_cards_keep_their_interval_in_anki(
    scheduled_anki_packages: AnkiPackages, tmp_path: Path
) -> None:
    deck = read_apkg(scheduled_anki_packages.current, with_scheduling=True)
    exported = tmp_path / "scheduled.apkg"
    write_apkg(deck, exported)

    again = {c.guid: c for c in read_apkg(exported, with_scheduling=True).cards}
    schedule = again[scheduled_anki_packages.guids["plain"]].schedule

    assert schedule is not None
    assert schedule.interval_days == 12
    assert (schedule.reps, schedule.lapses) == (4, 1)
