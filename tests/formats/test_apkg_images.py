"""Images in Anki decks: each stays on the side Anki showed it, comes back to Anki there,
and Image Occlusion notes, whose masks Parley cannot draw, are left out and counted."""

from __future__ import annotations

from pathlib import Path

from anki_trees import PNG_BYTES

from app.core import services
from app.core.exporting import export_to_file
from app.core.importing import import_path
from app.core.store import Store
from app.formats import read_deck, write_deck
from app.model.deckdata import CardData, DeckData
from app.model.paths import media_dir

from anki_notes import deck_id, new_note
from anki_packages import ImportIntoAnki

OCCLUSION = "{{c1::image-occlusion:rect:left=.1:top=.1:width=.2:height=.2:oi=1}}"


def anki_deck_with_pictures(folder: Path) -> Path:
    """A package from the real Anki library: a Basic note with a picture on each side,
    and an Image Occlusion note."""
    from anki.collection import Collection, DeckIdLimit, ExportAnkiPackageOptions

    col = Collection(str(folder / "source.anki2"))
    try:
        media = Path(col.media.dir())
        for name in ("flag.png", "map.png"):
            (media / name).write_bytes(PNG_BYTES)
        geography = deck_id(col, "Geography")
        note = new_note(col, "Basic")
        note["Front"] = 'Whose flag? <img src="flag.png">'
        note["Back"] = 'Japan <img src="map.png">'
        note.tags = ["flags"]
        col.add_note(note, geography)
        col.add_image_occlusion_notetype()
        occlusion = col.models.by_name("Image Occlusion")
        assert occlusion is not None
        picture = folder / "harbour.png"
        picture.write_bytes(PNG_BYTES)
        col.add_image_occlusion_note(
            occlusion["id"], str(picture), OCCLUSION, "Name the harbour", "", ["io"]
        )
        for nid in col.find_notes("tag:io"):
            for card in col.get_note(nid).cards():
                card.did = geography
                col.update_card(card)
        out = folder / "geography.apkg"
        options = ExportAnkiPackageOptions(
            with_scheduling=False, with_deck_configs=False, with_media=True, legacy=False
        )
        col.export_anki_package(out_path=str(out), options=options, limit=DeckIdLimit(geography))
    finally:
        col.close()
    return out


def test_each_image_keeps_its_side_and_image_occlusion_is_left_out_with_a_count(
    tmp_path: Path, store: Store
) -> None:
    package = anki_deck_with_pictures(tmp_path)

    summary = import_path(store, package)

    with store.session() as s:
        (card,) = services.list_cards(s, "Geography")
    assert (card.front, card.back) == ("Whose flag?", "Japan")
    assert (card.images, card.back_images) == (["flag.png"], ["map.png"])
    assert (media_dir(store.data_dir) / "map.png").read_bytes() == PNG_BYTES
    assert (summary.added, summary.images) == (1, 1)
    (left_out,) = summary.to_json()["left_out"]
    assert left_out["count"] == 1 and "Image Occlusion" in left_out["reason"]
    assert any("1 skipped: Image Occlusion" in line for line in summary.details())


def test_images_go_back_to_anki_on_the_side_they_came_from(
    tmp_path: Path, store: Store, import_into_anki: ImportIntoAnki
) -> None:
    package = anki_deck_with_pictures(tmp_path)
    import_path(store, package)
    out = tmp_path / "back.apkg"
    with store.session() as s:
        export_to_file(s, "Geography", out, media_root=media_dir(store.data_dir))

    notes, media = import_into_anki(out)

    (note,) = [n for n in notes.values() if n.tags == ["flags"]]
    assert note.fields == ['Whose flag? <img src="flag.png">', 'Japan <img src="map.png">']
    assert (media / "map.png").read_bytes() == PNG_BYTES


def test_a_parley_card_with_images_on_both_sides_round_trips_through_a_package(
    tmp_path: Path,
) -> None:
    sources = {}
    for name in ("q.png", "a.png"):
        sources[name] = tmp_path / f"src-{name}"
        sources[name].write_bytes(PNG_BYTES)
    deck = DeckData(
        name="Shapes",
        cards=[
            CardData(
                guid="shape-1",
                kind="flashcard",
                front="Which shape?",
                back="A square",
                images=["q.png"],
                back_images=["a.png"],
            )
        ],
        media_files=sources,
    )
    write_deck(deck, tmp_path / "shapes.apkg")

    (card,) = read_deck(tmp_path / "shapes.apkg", staging_dir=tmp_path / "staged").cards

    assert (card.front, card.back) == ("Which shape?", "A square")
    assert (card.images, card.back_images) == (["q.png"], ["a.png"])


def test_an_anki_deck_exported_as_toml_keeps_its_pictures_on_their_sides(
    tmp_path: Path, store: Store
) -> None:
    import_path(store, anki_deck_with_pictures(tmp_path))
    out = tmp_path / "out" / "geography.toml"
    out.parent.mkdir()
    with store.session() as s:
        export_to_file(s, "Geography", out, media_root=media_dir(store.data_dir))
    text = out.read_text(encoding="utf-8")
    assert 'images = ["flag.png"]' in text and 'back_images = ["map.png"]' in text
    assert (tmp_path / "out" / "geography.media" / "map.png").read_bytes() == PNG_BYTES

    other = Store.open(tmp_path / "other")
    try:
        import_path(other, out)
        with other.session() as s:
            (card,) = services.list_cards(s, "Geography")
        assert (card.images, card.back_images) == (["flag.png"], ["map.png"])
        assert (media_dir(other.data_dir) / "flag.png").read_bytes() == PNG_BYTES
    finally:
        other.close()
