"""A deck whose text looks like HTML is shown as written, on every page.

Qt renders a label, tooltip or chart label as HTML when its text merely looks like HTML:
a deck named ``Nice deck <img src=/dev/zero>`` made the GUI read /dev/zero until it
aborted (on every start), "What does the <b> tag do?" lost its tag, and local images and
``javascript:`` links rendered. Here such a deck is imported into a fresh data dir and
every page is walked: each label, tooltip, text view and chart that shows its text must
show it literally."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCharts import QChartView
from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtGui import QTextCursor, QTextDocument
from PySide6.QtWidgets import QGraphicsTextItem, QLabel, QTextBrowser, QTextEdit, QWidget
from pytestqt.qtbot import QtBot

from app.core.importing import import_path
from app.core.store import Store
from app.model.settings import Settings
from app.rehearsal.session import Stage
from app.ui.application import create_window
from app.ui.import_dialog import ImportDialog
from app.ui.main_window import MainWindow
from app.ui.result_panel import highlighted_transcript
from app.ui.settings_dialog import SettingsDialog
from app.ui.widgets import plain_label, plain_tooltip

WAIT = 30_000
IMG = "<img src=/dev/zero>"
BOLD = "<b>bold</b>"
LINK = '<a href="javascript:alert(1)">x</a>'
FILE = '<img src="file:///etc/passwd">'
ALL = f"{IMG} {BOLD} {LINK} {FILE}"
TAG_QUESTION = "What does the <b> tag do?"

DECK = f"Nice deck {IMG}"
PERSONA = f"pm {BOLD}"
PERSONA_NAME = f"Priya {BOLD}"  # what statistics and history call her
QUESTION = f"{TAG_QUESTION} {IMG}"
BACK = f"It makes {BOLD} text. {LINK} {FILE} {IMG}"
MODEL_ANSWER = f"It makes text bold. {ALL}"
POINTS = (f"Bold {BOLD}", f"Links {LINK}", f"Images {FILE} {IMG}")
ANSWER = f"It makes text bold. {BOLD} {IMG}"  # misses the link point

# Markup from the deck that must never reach Qt unescaped. (Our own markup uses <b>,
# <i>, <p>, <div>, <span>, <h3> and <h4>, but never on deck text.)
RAW = ("<img", "<a ", "<b>bold", "<b> tag")


def deck_toml(name: str = DECK) -> str:
    q = json.dumps  # a JSON string is a TOML basic string
    points = ", ".join(
        f"{{ label = {q(label)}, alternatives = [{q(alt)}] }}"
        for label, alt in zip(
            POINTS, ("makes text bold", "opens a link", "shows an image"), strict=True
        )
    )
    return f"""format = "parley-deck"
version = 1

[deck]
name = {q(name)}
description = {q(ALL)}

[[personas]]
key = {q(PERSONA)}
name = {q(PERSONA_NAME)}
role = {q("Role " + LINK)}
cares_about = {q("Cares " + FILE + " " + IMG)}

[[cards]]
id = "hostile-front"
kind = "flashcard"
front = {q(TAG_QUESTION)}
back = {q(BACK)}
tags = [{q(BOLD)}]

[[cards]]
id = "hostile-play"
kind = "roleplay"
persona = {q(PERSONA)}
question = {q(QUESTION)}
model_answer = {q(MODEL_ANSWER)}
key_points = [{points}]
"""


# -- what Qt shows ----------------------------------------------------------------------
def assert_escaped(markup: str, where: object) -> None:
    for raw in RAW:
        assert raw not in markup, f"{where}: deck markup {raw!r} reaches Qt as HTML: {markup!r}"


def rendered(markup: str) -> str:
    doc = QTextDocument()
    doc.setHtml(markup)
    return doc.toPlainText()


def tooltip_shown(tip: str, where: object) -> str:
    """What a tooltip shows: Qt renders it as HTML whenever it looks like HTML."""
    if not GuiQt.mightBeRichText(tip):
        return tip
    assert_escaped(tip, where)
    return rendered(tip)


def label_shown(label: QLabel) -> str:
    fmt = label.textFormat()
    where = f"QLabel {label.objectName() or label.text()[:40]!r}"
    if fmt == Qt.TextFormat.PlainText:
        return label.text()
    if fmt == Qt.TextFormat.AutoText and not GuiQt.mightBeRichText(label.text()):
        return label.text()
    assert_escaped(label.text(), where)
    return rendered(label.text())


def text_items(view: QChartView) -> list[QGraphicsTextItem]:
    """The chart's legend entries, axis labels and titles (QtCharts draws them as HTML)."""
    items = []
    for item in view.scene().items():
        obj = item.toGraphicsObject()
        if obj is not None and obj.inherits("QGraphicsTextItem"):
            text = shiboken6.wrapInstance(shiboken6.getCppPointer(obj)[0], QGraphicsTextItem)
            assert isinstance(text, QGraphicsTextItem)
            items.append(text)
    return items


def chart_texts(root: QWidget) -> list[str]:
    return [item.toPlainText() for v in root.findChildren(QChartView) for item in text_items(v)]


def chart_shows(root: QWidget, text: str) -> Callable[[], bool]:
    """For waitUntil: some chart under ``root`` draws ``text``."""
    return lambda: any(text in s for s in chart_texts(root))


def document_tooltips(edit: QTextEdit) -> list[str]:
    """Tooltips inside a text view: a ``title`` attribute becomes one on hover."""
    doc = edit.document()
    cursor = QTextCursor(doc)
    tips = set()
    for pos in range(1, doc.characterCount()):
        cursor.setPosition(pos)
        tips.add(cursor.charFormat().toolTip())
    return sorted(t for t in tips if t)


def walk(root: QWidget, strict: bool = True) -> list[str]:
    """Checks everything under ``root`` that can show text and returns what it shows.

    ``strict``: no label of ``root``'s own window may be left on AutoText (dialogs have
    Qt's own form labels, which are checked for deck markup instead)."""
    shown: list[str] = []
    for label in [root, *root.findChildren(QWidget)]:
        if not isinstance(label, QLabel):
            continue
        assert not label.openExternalLinks(), label.text()
        if strict and label.window() is root:
            assert label.textFormat() != Qt.TextFormat.AutoText, (
                f"label {label.text()!r} is on AutoText: use widgets.plain_label"
            )
        shown.append(label_shown(label))
    for widget in [root, *root.findChildren(QWidget)]:
        if tip := widget.toolTip():
            shown.append(tooltip_shown(tip, f"tooltip of {widget!r}"))
    for edit in root.findChildren(QTextEdit):
        assert_escaped(edit.toHtml(), f"text view {edit!r}")
        if isinstance(edit, QTextBrowser):
            assert not edit.openLinks() and not edit.openExternalLinks()
        shown.append(edit.toPlainText())
        shown.extend(tooltip_shown(t, f"tooltip in {edit!r}") for t in document_tooltips(edit))
    for view in root.findChildren(QChartView):
        for item in text_items(view):
            assert_escaped(item.toHtml(), "chart text")
            shown.append(item.toPlainText())
    return shown


def showing(root: QWidget, text: str, strict: bool = True) -> bool:
    return any(text in s for s in walk(root, strict))


def plain_labels_with(root: QWidget, text: str) -> list[QLabel]:
    labels = [w for w in root.findChildren(QLabel) if text in w.text()]
    for label in labels:
        assert label.textFormat() == Qt.TextFormat.PlainText, label.text()
    return labels


# -- the window ---------------------------------------------------------------------------
@pytest.fixture
def hostile_window(qtbot: QtBot, data_dir: Path, tmp_path: Path) -> Iterator[MainWindow]:
    """The app started on a collection that already holds the hostile deck."""
    deck_file = tmp_path / "hostile.toml"
    deck_file.write_text(deck_toml(), encoding="utf-8")
    data_dir.mkdir(parents=True, exist_ok=True)
    # No question read aloud: the speakers would feed the virtual microphone.
    Settings(speak_questions=False, input_device="vmic").save(data_dir)
    store = Store.open(data_dir)
    try:
        assert import_path(store, deck_file).deck == DECK
    finally:
        store.close()
    win = create_window(data_dir)
    qtbot.addWidget(win)
    # A desktop-sized window: this walk checks that deck text is shown literally, and
    # at the offscreen screen's 800x600 the charts elide their labels to "Links <a hr...".
    win.resize(1280, 800)
    with qtbot.waitSignal(win.home.decks_shown, timeout=WAIT):
        win.show()
    yield win
    win.close()


def select_deck(window: MainWindow) -> None:
    names = [d.name for d in window.home.decks]
    window.home.list.setCurrentRow(names.index(DECK))


def back_home(qtbot: QtBot, window: MainWindow, page: QWidget) -> None:
    with qtbot.waitSignal(window.home.decks_shown, timeout=WAIT):
        qtbot.keyClick(page, Qt.Key.Key_Escape)
    assert window.home.selected_deck() == DECK


def test_every_page_shows_a_hostile_deck_literally(
    qtbot: QtBot, hostile_window: MainWindow
) -> None:
    window = hostile_window

    # Home: the deck row names the deck as written.
    row = window.home.deck_row(DECK)
    assert row is not None
    assert row.name_label.text() == DECK
    assert row.name_label.textFormat() == Qt.TextFormat.PlainText
    assert showing(window, DECK)
    select_deck(window)

    # Review: front, back and tags.
    review = window.review
    qtbot.keyClick(window.home.list, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: review.current is not None, timeout=WAIT)
    assert review.heading.text() == DECK
    assert review.front.text() == TAG_QUESTION
    assert review.front.textFormat() == Qt.TextFormat.PlainText
    qtbot.keyClick(review, Qt.Key.Key_Space)
    assert review.back.isVisible() and review.back.text() == BACK
    assert review.tags_label.text() == BOLD
    for text in (DECK, TAG_QUESTION, BACK, BOLD):
        assert plain_labels_with(window, text)
    walk(window)
    back_home(qtbot, window, review)

    # Rehearsal: persona, question, then a typed answer and its result.
    page = window.rehearsal
    with qtbot.waitSignal(page.question_shown, timeout=WAIT):
        qtbot.keyClick(window.home.list, Qt.Key.Key_P)
    qtbot.waitUntil(lambda: page.engine_choice is not None, timeout=WAIT)
    assert page.heading.text() == DECK
    assert page.question.text() == f"“{QUESTION}”"
    assert page.persona_name.text() == f"Priya {BOLD}"
    assert page.persona_role.text() == f"Role {LINK}"
    assert page.persona_cares.text() == f"Cares {FILE} {IMG}"
    for text in (QUESTION, BOLD, LINK, FILE):
        assert plain_labels_with(window, text)
    walk(window)

    qtbot.keyClick(page, Qt.Key.Key_T)
    page.typed.insertPlainText(ANSWER)
    with qtbot.waitSignal(page.result_shown, timeout=WAIT):
        qtbot.keyClick(page.typed, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    panel = page.result_panel
    assert panel.result is not None
    assert panel.transcript.toPlainText() == ANSWER
    assert panel.model_answer.toPlainText() == MODEL_ANSWER
    # The highlighted evidence's tooltip names the key point as written.
    tips = document_tooltips(panel.transcript)
    verdicts = ("met", "partly", "contradicted")
    expected = {f"{point} ({verdict})" for point in POINTS for verdict in verdicts}
    assert tips and {tooltip_shown(t, "evidence") for t in tips} <= expected
    for point in POINTS:
        assert plain_labels_with(panel, point), point
    shown = walk(window)
    assert any(ANSWER in s for s in shown) and any(MODEL_ANSWER in s for s in shown)

    qtbot.keyClick(page, Qt.Key.Key_Return)  # accept the suggested rating
    qtbot.waitUntil(lambda: page.flow.stage == Stage.DONE, timeout=WAIT)
    walk(window)
    back_home(qtbot, window, page)

    # Statistics: the prompt in the legend and the filter, missed key points on the axis.
    with qtbot.waitSignal(window.stats.loaded, timeout=WAIT):
        qtbot.keyClick(window.home.list, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    stats = window.stats
    assert stats.deck_label.text() == DECK
    assert plain_labels_with(stats, DECK)
    assert any(BOLD in stats.prompt_filter.itemText(i) for i in range(stats.prompt_filter.count()))
    for text in (f"{PERSONA_NAME}: What", "Links <a href="):  # the legend, a missed point
        qtbot.waitUntil(chart_shows(stats, text), timeout=WAIT)
    walk(window)

    # History: the prompt, the attempt's key points and transcript.
    stats.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: stats.history.history is not None, timeout=WAIT)
    assert stats.history.heading.text() == f"{PERSONA_NAME} ({PERSONA}): {QUESTION}"
    assert plain_labels_with(stats, QUESTION)
    qtbot.waitUntil(lambda: ANSWER in stats.history.detail.toPlainText(), timeout=WAIT)
    detail = stats.history.detail.toPlainText()
    assert all(point in detail for point in POINTS)
    walk(window)
    back_home(qtbot, window, stats)

    # The card browser: cells, the editor and the deck names in its choices.
    browser = window.browser
    with qtbot.waitSignal(browser.loaded, timeout=WAIT):
        qtbot.keyClick(window.home.list, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    with qtbot.waitSignal(browser.loaded, timeout=WAIT):
        browser.search.setText("tag:" + BOLD.split()[0])  # a tag is searched as written
        qtbot.keyClick(browser.search, Qt.Key.Key_Return)
    cells = [
        browser.model.cards[0].tags,
        browser.proxy.index(0, 0).data(),
        browser.proxy.index(0, 2).data(),
    ]
    assert cells == [[BOLD], TAG_QUESTION, DECK]
    browser.table.selectRow(0)
    assert browser.editor.back.toPlainText() == BACK
    assert browser.editor.heading.text() == f"Flashcard · {DECK}"
    walk(window)
    qtbot.keyClick(browser.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    choices = [
        browser.editor.deck_choice.itemText(i) for i in range(browser.editor.deck_choice.count())
    ]
    assert DECK in choices
    walk(window)
    back_home(qtbot, window, browser.table)

    # Settings (no deck text, but its labels must not be rich by accident either).
    dialog = SettingsDialog(window.backend, window)
    qtbot.addWidget(dialog)
    walk(dialog, strict=False)
    dialog.stop_meter()

    # Messages that quote deck text: the banner and the status bar.
    from app.ui import messages

    messages.error(f"Could not open {DECK}.")
    assert window.banner.label.text() == f"Could not open {DECK}."
    assert window.banner.label.textFormat() == Qt.TextFormat.PlainText
    walk(window)


def test_the_import_dialog_shows_a_hostile_file_literally(
    qtbot: QtBot, hostile_window: MainWindow, tmp_path: Path
) -> None:
    window = hostile_window
    path = tmp_path / "deck <b>bold.toml"  # a file name cannot hold "/"
    path.write_text(deck_toml(), encoding="utf-8")
    dialog = ImportDialog.import_file(window, window.backend, path)
    with qtbot.waitSignal(dialog.preview_ready, timeout=WAIT):
        pass
    assert dialog.status.text().startswith(f"{path.name}: 1 flashcards, 1 role-plays")
    assert dialog.deck_name.text() == DECK
    items = [dialog.table.item(r, c) for r in range(2) for c in range(3)]
    cells = [item.text() for item in items if item is not None]
    assert TAG_QUESTION in cells and f"[{PERSONA}] {QUESTION}" in cells
    assert plain_labels_with(dialog, path.name)
    walk(dialog, strict=False)
    with qtbot.waitSignal(dialog.imported, timeout=WAIT):
        dialog.ok.click()
    assert dialog.status.text().startswith(f"Imported into {DECK}: 0 added")
    assert plain_labels_with(dialog, DECK)
    walk(dialog, strict=False)
    dialog.close()

    # A refusal quotes the file's name and its problem, literally too.
    broken = tmp_path / "broken <img src=zero>.toml"
    broken.write_text(deck_toml().replace('kind = "flashcard"', 'kind = "<b>card</b>"'))
    dialog = ImportDialog.import_file(window, window.backend, broken)
    with qtbot.waitSignal(dialog.failed, timeout=WAIT):
        pass
    assert "Cannot import." in dialog.status.text() and broken.name in dialog.status.text()
    assert plain_labels_with(dialog, broken.name)
    walk(dialog, strict=False)
    dialog.close()


def test_what_does_the_b_tag_do_is_shown_as_written(qtbot: QtBot) -> None:
    label = plain_label(TAG_QUESTION)
    qtbot.addWidget(label)
    assert label.text() == TAG_QUESTION and label.textFormat() == Qt.TextFormat.PlainText
    label.setText(f"{IMG} {LINK}")
    assert label.textFormat() == Qt.TextFormat.PlainText and not label.openExternalLinks()
    # A tooltip has no format of its own: plain_tooltip escapes it inside our markup.
    tip = plain_tooltip(f"{TAG_QUESTION}\n{ALL}")
    assert tooltip_shown(tip, "tooltip") == f"{TAG_QUESTION}\n{ALL}"


def test_the_highlighted_transcript_escapes_the_answer_and_the_key_points() -> None:
    from app.scoring.types import Delivery, Evidence, KeyPointResult, ScoreResult

    text = f"{TAG_QUESTION} makes text bold {IMG}"
    start = text.index("makes")
    point = KeyPointResult(
        label=POINTS[0],
        met=True,
        verdict="met",
        evidence=Evidence(start, start + len("makes text bold"), "makes text bold"),
    )
    result = ScoreResult(text, 1.0, (point,), Delivery(None, None), suggested_rating=3)
    markup = highlighted_transcript(result)
    assert_escaped(markup, "transcript")
    assert rendered(markup) == text
