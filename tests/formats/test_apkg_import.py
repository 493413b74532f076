"""A user imports decks exported from Anki (legacy and current formats) and from genanki."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from app.formats import read_deck, write_deck
from app.formats.apkg import read_apkg
from app.model.deckdata import DeckData, KeyPoint, PersonaData

from anki_notes import deck_id, new_note
from anki_packages import SOUND_BYTES, AnkiPackages


def by_guid(deck: DeckData) -> dict[str, object]:
    return {card.guid: card for card in deck.cards}


def test_basic_notes_become_one_plain_text_card_each(
    anki_package: Path, anki_packages: AnkiPackages, tmp_path: Path
) -> None:
    deck = read_apkg(anki_package, staging_dir=tmp_path / "staging")
    cards = {card.guid: card for card in deck.cards}
    basic = cards[anki_packages.guids["basic"]]

    assert basic.kind == "flashcard"
    assert basic.front == "What does TCP guarantee?"
    assert basic.back == "Ordered, reliable delivery\nof a byte stream"
    assert basic.tags == ["tcp", "transport"]


def test_a_played_sound_is_staged_and_left_out_of_the_text(
    anki_package: Path, anki_packages: AnkiPackages, tmp_path: Path
) -> None:
    staging = tmp_path / "staging"
    deck = read_apkg(anki_package, staging_dir=staging)
    basic = {c.guid: c for c in deck.cards}[anki_packages.guids["basic"]]

    assert basic.media == ["syn.mp3"]
    assert "[sound:" not in basic.front
    staged = deck.media_files["syn.mp3"]
    assert staged.parent == staging
    assert staged.read_bytes() == SOUND_BYTES  # decompressed for the current format


def test_reversed_notes_give_both_directions(
    anki_package: Path, anki_packages: AnkiPackages
) -> None:
    deck = read_apkg(anki_package)
    guid = anki_packages.guids["reversed"]
    cards = {c.guid: c for c in deck.cards}

    assert (cards[guid].front, cards[guid].back) == ("SYN", "synchronise")
    assert (cards[f"{guid}#1"].front, cards[f"{guid}#1"].back) == ("synchronise", "SYN")
    assert cards[f"{guid}#1"].tags == ["handshake"]


def test_cloze_notes_give_one_card_per_deletion(
    anki_package: Path, anki_packages: AnkiPackages
) -> None:
    deck = read_apkg(anki_package)
    guid = anki_packages.guids["cloze"]
    cards = {c.guid: c for c in deck.cards}
    full = "TCP is connection-oriented, UDP is not\n\nBoth sit on IP"

    assert cards[guid].front == "[…] is connection-oriented, UDP is not"
    assert cards[f"{guid}#1"].front == "TCP is connection-oriented, [protocol] is not"
    assert cards[guid].back == cards[f"{guid}#1"].back == full
    assert len([c for c in deck.cards if c.guid.startswith(guid)]) == 2


def test_html_is_reduced_to_text_without_scripts_styles_or_images(
    anki_package: Path, anki_packages: AnkiPackages
) -> None:
    deck = read_apkg(anki_package)
    card = {c.guid: c for c in deck.cards}[anki_packages.guids["html"]]

    assert card.front == "Script-free"
    assert card.back == "a < b && c"
    assert card.media == []


def test_the_deck_is_named_after_the_top_level_deck_of_its_cards(anki_package: Path) -> None:
    deck = read_apkg(anki_package)

    assert deck.name == "Networking"
    assert len(deck.cards) == 7  # 3 basic, 2 reversed, 2 cloze


def test_scheduling_is_only_carried_over_when_asked(
    scheduled_anki_packages: AnkiPackages,
) -> None:
    guid = scheduled_anki_packages.guids["plain"]
    for package in (scheduled_anki_packages.legacy, scheduled_anki_packages.current):
        plain = {c.guid: c for c in read_apkg(package).cards}[guid]
        scheduled = {c.guid: c for c in read_apkg(package, with_scheduling=True).cards}

        assert plain.schedule is None
        schedule = scheduled[guid].schedule
        assert schedule is not None
        assert schedule.interval_days == 12
        assert (schedule.reps, schedule.lapses) == (4, 1)
        # Anki's day starts at 4 am local time; Parley counts whole days from creation.
        assert abs(schedule.due_in_days - 5) <= 1
        new_card = scheduled[scheduled_anki_packages.guids["reversed"]]
        assert new_card.schedule is None


def test_a_genanki_deck_uses_its_templates_for_front_and_back(
    genanki_package: Path, tmp_path: Path
) -> None:
    deck = read_deck(genanki_package, staging_dir=tmp_path / "staging")
    cards = {c.guid: c for c in deck.cards}

    assert deck.name == "Ops Vocabulary"
    assert deck.description == "Words on call"
    assert cards["gen-latency"].front == "latency"
    assert cards["gen-latency"].back == "delay before a response\np99 latency"
    assert cards["gen-ping"].front == "ping"
    assert cards["gen-ping"].back == "a round trip probe"
    assert cards["gen-ping"].media == ["ping.mp3"]
    assert deck.media_files["ping.mp3"].read_bytes() == SOUND_BYTES
    assert cards["gen-slo"].front == "An […] is a target; an SLA a promise"
    assert cards["gen-slo#1"].front == "An SLO is a target; an […] a promise"


def test_a_deck_in_the_default_deck_is_named_after_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    import genanki

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    deck = genanki.Deck(1, "Default")
    deck.add_note(genanki.Note(genanki.BASIC_MODEL, ["q", "a"], guid="g1"))
    path = tmp_path / "my-cards.apkg"
    genanki.Package(deck).write_to_file(str(path))

    assert read_apkg(path).name == "my-cards"


def test_role_plays_survive_a_trip_through_an_anki_package(tmp_path: Path) -> None:
    from app.model.deckdata import CardData

    original = DeckData(
        name="Stakeholders",
        personas=[PersonaData(key="cfo")],
        cards=[
            CardData(
                guid="rp-1",
                kind="roleplay",
                persona="cfo",
                question="Why pay for RAG?",
                model_answer="It keeps answers current.\nNo retraining.",
                key_points=[
                    KeyPoint("Current answers", ["current", "up to date"]),
                    KeyPoint("Cost: low; fast", ["no retraining"]),
                ],
                tags=["money"],
            )
        ],
    )
    path = tmp_path / "rp.apkg"
    write_deck(original, path)

    assert read_apkg(path).cards == original.cards
    assert read_apkg(path).personas == original.personas


def test_a_package_with_both_collections_prefers_the_newest(
    anki_packages: AnkiPackages, tmp_path: Path
) -> None:
    with zipfile.ZipFile(anki_packages.current) as src:
        members = set(src.namelist())

    # Anki's current export carries a placeholder collection.anki2 beside the real one.
    assert {"collection.anki21b", "collection.anki2"} <= members
    assert len(read_apkg(anki_packages.current).cards) == 7


def test_a_whole_collection_backup_reads_too(tmp_path: Path) -> None:
    from anki.collection import Collection

    col = Collection(str(tmp_path / "mine.anki2"))
    note = new_note(col, "Basic")
    note["Front"], note["Back"] = "RTT", "Round-trip time"
    col.add_note(note, deck_id(col, "Latency"))
    backup = tmp_path / "backup.colpkg"
    col.export_collection_package(str(backup), include_media=True, legacy=False)  # closes it

    deck = read_deck(backup)

    assert deck.name == "Latency"
    assert [(c.front, c.back) for c in deck.cards] == [("RTT", "Round-trip time")]
