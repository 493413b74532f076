"""An Anki deck with pictures, reviewed: each image is shown as an image, from the media
folder, on the side Anki showed it; maths and tables read as text."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.core.importing import import_path
from app.core.store import Store
from app.ui.application import create_window
from app.ui.main_window import MainWindow

from anki_notes import deck_id, new_note

DECK = "Pictures"


def png(path: Path, width: int, height: int, colour: str) -> bytes:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    assert path.suffix == ".png"
    assert image.save(str(path))  # the format from the suffix: PySide's stubs and runtime
    # disagree on the type of an explicit one
    return path.read_bytes()


def anki_package(folder: Path, cards: list[tuple[str, str]], images: dict[str, bytes]) -> Path:
    """A package exported by the real Anki library from a deck of Basic notes."""
    from anki.collection import Collection, DeckIdLimit, ExportAnkiPackageOptions

    col = Collection(str(folder / "source.anki2"))
    try:
        for name, data in images.items():
            (Path(col.media.dir()) / name).write_bytes(data)
        deck = deck_id(col, DECK)
        for front, back in cards:
            note = new_note(col, "Basic")
            note["Front"], note["Back"] = front, back
            col.add_note(note, deck)
        out = folder / "pictures.apkg"
        options = ExportAnkiPackageOptions(
            with_scheduling=False, with_deck_configs=False, with_media=True, legacy=False
        )
        col.export_anki_package(out_path=str(out), options=options, limit=DeckIdLimit(deck))
    finally:
        col.close()
    return out


def review_window(qtbot: QtBot, data_dir: Path, package: Path) -> MainWindow:
    store = Store.open(data_dir)
    try:
        import_path(store, package)
    finally:
        store.close()
    window = create_window(data_dir)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.home.decks_shown, timeout=30_000):
        window.show()
    window.start_review(DECK)
    qtbot.waitUntil(lambda: window.review.current is not None, timeout=10_000)
    return window


def test_an_anki_image_on_each_side_is_shown_as_an_image_of_its_own_size(
    qtbot: QtBot, data_dir: Path, tmp_path: Path
) -> None:
    # The question's picture is small; the answer's diagram is wider than a card and is
    # shown scaled down to fit, keeping its proportions.
    small = png(tmp_path / "a.png", 64, 48, "red")
    wide = png(tmp_path / "b.png", 1280, 480, "blue")
    package = anki_package(
        tmp_path,
        [('Which flag is this? <img src="flag.png">', 'Its diagram: <img src="diagram.png">')],
        {"flag.png": small, "diagram.png": wide},
    )
    window = review_window(qtbot, data_dir, package)
    try:
        page = window.review
        assert page.front.text() == "Which flag is this?"
        qtbot.waitUntil(lambda: len(page.front_images.pixmaps()) == 1, timeout=10_000)
        (flag,) = page.front_images.pixmaps()
        assert (flag.width(), flag.height()) == (64, 48)
        assert flag.toImage().pixelColor(10, 10) == QColor("red")
        # The answer's image waits for the answer.
        assert not page.back_images.isVisible()
        qtbot.keyClick(page, Qt.Key.Key_Space)
        assert page.back_images.isVisible() and page.front_images.isVisible()
        qtbot.waitUntil(lambda: len(page.back_images.pixmaps()) == 1, timeout=10_000)
        (diagram,) = page.back_images.pixmaps()
        assert (diagram.width(), diagram.height()) == (640, 240)
        assert diagram.toImage().pixelColor(10, 10) == QColor("blue")
        assert page.back.text() == "Its diagram:"
    finally:
        window.close()


def test_a_missing_image_says_so_in_place_and_the_card_still_reviews(
    qtbot: QtBot, data_dir: Path, tmp_path: Path
) -> None:
    package = anki_package(tmp_path, [('Gone <img src="lost.png">', "Still here")], {})
    window = review_window(qtbot, data_dir, package)
    try:
        page = window.review
        # Anki itself shows a missing file as missing; the package did not ship it.
        assert page.current is not None and page.current.images == ["lost.png"]
        qtbot.waitUntil(lambda: "missing" in page.front_images.labels[0].text(), timeout=10_000)
        assert page.front_images.pixmaps() == []
        qtbot.keyClick(page, Qt.Key.Key_Space)
        assert page.back.text() == "Still here"
    finally:
        window.close()


def test_maths_show_as_source_in_code_and_a_table_as_rows(
    qtbot: QtBot, data_dir: Path, tmp_path: Path
) -> None:
    package = anki_package(
        tmp_path,
        [
            (
                r"Area of a circle <b>&lt;img&gt;</b>: \(\pi r^2\)?",
                "<table><tr><th>r</th><th>area</th></tr><tr><td>1</td><td>3.14</td></tr></table>",
            )
        ],
        {},
    )
    window = review_window(qtbot, data_dir, package)
    try:
        page = window.review
        front: QLabel = page.front
        assert front.textFormat() == Qt.TextFormat.RichText
        # The source, in a code style; the deck's own text escaped, never markup.
        assert r"<code>\pi r^2</code>" in front.text()
        assert "&lt;img&gt;" in front.text() and "<img" not in front.text()
        qtbot.keyClick(page, Qt.Key.Key_Space)
        assert page.back.textFormat() == Qt.TextFormat.PlainText
        assert page.back.text() == "r | area\n1 | 3.14"
    finally:
        window.close()
