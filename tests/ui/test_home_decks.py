"""The home page's decks: a tree with a visible selection, renamed, deleted and brought
back, and a window that fits the screen and comes back where it was."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.core import backups
from app.core.importing import import_path
from app.core.store import Store
from app.ui.application import create_window
from app.ui.deck_actions import DeckQuestions
from app.ui.main_window import MainWindow

WAIT = 30_000
DECK = "RAG vs Fine-Tuning"
NESTED = """format = "parley-deck"
version = 1

[deck]
name = "Work::AI"

[[cards]]
id = "w1"
kind = "flashcard"
front = "What is a token?"
back = "A piece of text the model reads."
"""


@pytest.fixture
def tree_window(qtbot: QtBot, data_dir: Path, tmp_path: Path) -> Iterator[MainWindow]:
    deck = tmp_path / "work.toml"
    deck.write_text(NESTED, encoding="utf-8")
    store = Store.open(data_dir)
    try:
        import_path(store, deck)
    finally:
        store.close()
    win = create_window(data_dir)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.home.decks_shown, timeout=WAIT):
        win.show()
    yield win
    win.close()


def names_on_home(window: MainWindow) -> list[str]:
    return [d.name for d in window.home.decks]


def test_nested_decks_show_as_a_tree_and_the_selected_one_is_marked(
    qtbot: QtBot, tree_window: MainWindow
) -> None:
    home = tree_window.home
    assert names_on_home(tree_window) == [DECK, "Work", "Work::AI"]
    child, parent = home.deck_row("Work::AI"), home.deck_row("Work")
    assert child is not None and parent is not None
    assert child.name_label.text() == "↳ AI"
    child_layout, parent_layout, rag = child.layout(), parent.layout(), home.deck_row(DECK)
    assert child_layout is not None and parent_layout is not None and rag is not None
    assert child_layout.contentsMargins().left() > parent_layout.contentsMargins().left()
    assert rag.frame.property("selected") is True

    qtbot.keyClick(home.list, Qt.Key.Key_Down)
    qtbot.keyClick(home.list, Qt.Key.Key_Down)
    assert home.selected_deck() == "Work::AI"
    assert child.frame.property("selected") is True
    assert rag.frame.property("selected") is False
    # R acts on the deck that is marked.
    qtbot.keyClick(home.list, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: tree_window.review.current is not None, timeout=WAIT)
    assert tree_window.review.front.text() == "What is a token?"


def test_renaming_a_parent_deck_renames_its_children_and_a_bad_name_changes_nothing(
    qtbot: QtBot, tree_window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tree_window.home
    home.select_deck("Work")
    monkeypatch.setattr(DeckQuestions, "new_name", staticmethod(lambda parent, name: "Job"))
    with qtbot.waitSignal(home.decks_shown, timeout=WAIT):
        qtbot.keyClick(home.list, Qt.Key.Key_F2)
    assert names_on_home(tree_window) == [DECK, "Job", "Job::AI"]
    assert home.selected_deck() == "Job"

    monkeypatch.setattr(DeckQuestions, "new_name", staticmethod(lambda parent, name: DECK))
    qtbot.keyClick(home.list, Qt.Key.Key_F2)
    banner = tree_window.banner
    qtbot.waitUntil(lambda: banner.isVisible() and "already a deck" in banner.label.text())
    assert banner.label.text() == f"there is already a deck named {DECK!r}"
    assert names_on_home(tree_window) == [DECK, "Job", "Job::AI"]


def test_delete_a_deck_after_being_told_what_is_lost_then_undo(
    qtbot: QtBot, window: MainWindow, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def confirm(parent: object, name: str, loss: str) -> bool:
        asked.append(f"{name}: {loss}")
        return True

    monkeypatch.setattr(DeckQuestions, "confirm_delete", staticmethod(confirm))
    home = window.home
    before = next(d for d in home.decks if d.name == DECK)
    with qtbot.waitSignal(home.decks_shown, timeout=WAIT):
        qtbot.keyClick(home.list, Qt.Key.Key_Delete)
    assert asked == [
        f"{DECK}: {before.flashcards} flashcards, {before.roleplays} role-plays, "
        "with 0 reviews and 0 recorded answers"
    ]
    assert names_on_home(window) == []
    made = [b.path.name for b in backups.list_backups(data_dir, with_cards=False)]
    assert any("before-delete" in name for name in made)
    banner = window.banner
    assert banner.isVisible() and banner.label.text().startswith(f"Deleted “{DECK}”")
    assert banner.action.text() == "Undo"

    banner.action.click()
    # The list may be redrawn more than once (the deletion's own refresh can still be on
    # its way): wait for what the user waits for, the deck back on the home page.
    qtbot.waitUntil(lambda: names_on_home(window) == [DECK], timeout=WAIT)
    after = home.decks[0]
    assert (after.flashcards, after.roleplays) == (before.flashcards, before.roleplays)


def test_a_deleted_builtin_deck_stays_deleted_after_a_restart(
    qtbot: QtBot, window: MainWindow, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(DeckQuestions, "confirm_delete", staticmethod(lambda *a: True))
    with qtbot.waitSignal(window.home.decks_shown, timeout=WAIT):
        qtbot.keyClick(window.home.list, Qt.Key.Key_Delete)
    window.close()
    again = create_window(data_dir)
    qtbot.addWidget(again)
    with qtbot.waitSignal(again.home.decks_shown, timeout=WAIT):
        again.show()
    assert names_on_home(again) == []
    again.close()


def test_the_context_menu_offers_every_deck_action(qtbot: QtBot, window: MainWindow) -> None:
    menu = window.home.deck_menu(DECK)
    texts = [a.text() for a in menu.actions() if a.text()]
    assert texts == [
        "Review flashcards (R)",
        "Rehearse role-plays (P)",
        "Browse its cards",
        "Statistics (Ctrl+T)",
        "Export… (Ctrl+E)",
        "Rename… (F2)",
        "Delete… (Del)",
    ]
    browse = next(a for a in menu.actions() if a.text() == "Browse its cards")
    with qtbot.waitSignal(window.browser.loaded, timeout=WAIT):
        browse.trigger()
    assert window.browser.search.text() == f'deck:"{DECK}"'
    assert {c.deck for c in window.browser.model.cards} == {DECK}


def test_the_window_shrinks_below_800_by_600_and_comes_back_at_its_last_size(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    window.resize(800, 600)
    qtbot.waitUntil(lambda: window.width() == 800 and window.height() == 600)
    window.resize(720, 540)  # the offscreen screen is 800x600: restored within it
    qtbot.waitUntil(lambda: window.width() == 720)
    window.close()
    again = create_window(data_dir)
    qtbot.addWidget(again)
    with qtbot.waitSignal(again.home.decks_shown, timeout=WAIT):
        again.show()
    assert (again.width(), again.height()) == (720, 540)
    again.close()


def test_dark_theme_changes_the_window_palette_on_this_platform(
    qtbot: QtBot, window: MainWindow
) -> None:
    from app.ui.theme import apply_theme

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    try:
        apply_theme(app, "dark")
        assert window.palette().window().color().lightness() < 60
        assert window.home.palette().text().color().lightness() > 200
        apply_theme(app, "light")
        assert window.palette().window().color().lightness() > 230
    finally:
        apply_theme(app, "system")
