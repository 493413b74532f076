"""The statistics screen, per-card history and backups in the real window, over a data
dir with three weeks of scripted practice."""

from __future__ import annotations

import sqlite3
import tomllib
import wave
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCharts import (
    QAbstractBarSeries,
    QAbstractSeries,
    QAreaSeries,
    QBarSet,
    QCategoryAxis,
    QDateTimeAxis,
    QXYSeries,
)
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.core import backups, services
from app.core.clock import utcnow
from app.core.stats import DeckStats
from app.core.store import Store
from app.model.paths import recordings_dir
from app.ui.application import create_window
from app.ui.backup_timer import BackupTimer
from app.ui.main_window import MainWindow
from app.ui.restore_dialog import RestoreDialog
from app.ui.stats_page import StatsPage

DECK = "RAG vs Fine-Tuning"
ROOT = Path(__file__).parents[2]
WAIT = 20_000


def write_wav(path: Path, seconds: float = 0.3) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16_000)
        out.writeframes(b"\0\0" * int(16_000 * seconds))


def practise(data_dir: Path) -> Path:
    """Reviews on days 20, 13, 6 and 0 ago; five spoken answers to two role-plays (the
    last one with its recording). Returns the recording."""
    store = Store.open(data_dir)
    now = utcnow()
    with store.session() as s:
        deck = services.find_deck(s, DECK)
        flash = services.due_queue(s, deck.id, now, 20, kind="flashcard")[:5]
        plays = services.list_cards(s, DECK, "roleplay")[:2]
    for days_ago, ratings in ((20, (3, 3, 3, 3, 3)), (13, (3, 1, 4, 2, 3)), (6, (3, 3, 1, 3, 4))):
        for card_id, rating in zip(flash, ratings, strict=True):
            with store.session() as s:
                services.review_card(s, card_id, rating, now - timedelta(days=days_ago, hours=2))
    with store.session() as s:
        services.review_card(s, flash[0], 3, now - timedelta(seconds=1))
    recording = recordings_dir(data_dir) / "answer.wav"
    write_wav(recording)
    script = [
        (plays[0], 9, 0),
        (plays[0], 5, 1),
        (plays[1], 4, 1),
        (plays[0], 2, 2),
        (plays[1], 1, 2),
    ]
    for n, (card, days_ago, met) in enumerate(script):
        labels = [kp.label for kp in card.key_points][:3]
        result = {
            "key_points": [{"label": k, "met": i < met} for i, k in enumerate(labels)],
            "delivery": {"duration_s": 50.0, "wpm": 175.0 - 8 * n, "fillers": {"um": 5 - n}},
        }
        data = services.AttemptData(
            f"answer {n}",
            met / len(labels),
            result,
            "vosk",
            50.0,
            audio_path=str(recording) if n == len(script) - 1 else None,
            created_at=now - timedelta(days=days_ago),
        )
        with store.session() as s:
            services.record_attempt(s, card.id, data)
    store.close()
    return recording


@pytest.fixture
def practised(qtbot: QtBot, data_dir: Path) -> Iterator[tuple[MainWindow, Path]]:
    recording = practise(data_dir)
    win = create_window(data_dir)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.home.decks_shown, timeout=WAIT):
        win.show()
    yield win, recording
    win.close()


def open_stats(qtbot: QtBot, window: MainWindow) -> DeckStats:
    with qtbot.waitSignal(window.stats.loaded, timeout=WAIT) as blocker:
        qtbot.keyClick(window.home.list, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.stats
    figures = blocker.args[0]
    assert isinstance(figures, DeckStats) and figures.deck == DECK
    return figures


def bar_values(bar_set: QBarSet) -> list[float]:
    return [bar_set.at(i) for i in range(bar_set.count())]


def bar_sets(series: QAbstractSeries) -> list[QBarSet]:
    assert isinstance(series, QAbstractBarSeries), f"{series!r} is not a bar chart"
    return series.barSets()


def line(series: QAbstractSeries) -> QXYSeries:
    assert isinstance(series, QXYSeries), f"{series!r} is not a line chart"
    return series


def points(series: QAbstractSeries) -> list[tuple[float, float]]:
    return [(p.x(), p.y()) for p in line(series).points()]


def test_statistics_draw_exactly_the_deck_figures(
    qtbot: QtBot, practised: tuple[MainWindow, Path]
) -> None:
    window, _ = practised
    f = open_stats(qtbot, window)
    page = window.stats
    assert f.totals.reviews == 16 and f.totals.attempts == 5 and f.totals.reviews_today == 1

    (reviews,) = page.chart("reviews").series()
    new, seen = bar_sets(reviews)
    assert bar_values(new) == [d.new for d in f.reviews_per_day]
    assert bar_values(seen) == [d.review for d in f.reviews_per_day]
    assert sum(bar_values(new)) + sum(bar_values(seen)) == 16

    (forecast,) = page.chart("forecast").series()
    assert bar_values(bar_sets(forecast)[0]) == [d.due for d in f.due_forecast]

    weekly, overall = page.chart("retention").series()
    expected = [(i, round(w.rate * 100)) for i, w in enumerate(f.retention_weekly) if w.rate]
    assert points(weekly) == expected
    assert f.retention_overall.rate is not None
    assert {y for _x, y in points(overall)} == {f.retention_overall.rate * 100}

    lines = page.chart("coverage").series()
    assert len(lines) == len(f.coverage) == 2
    for series, prompt in zip(lines, f.coverage, strict=True):
        assert points(series) == [(p.number, round(p.coverage * 100, 1)) for p in prompt.points]

    (missed,) = page.chart("missed").series()
    assert bar_values(bar_sets(missed)[0]) == [m.missed for m in reversed(f.missed_key_points)]

    band, wpm, fillers = page.chart("delivery").series()
    assert isinstance(band, QAreaSeries)
    assert {p.y() for p in band.upperSeries().points()} == {160.0}
    assert {p.y() for p in band.lowerSeries().points()} == {120.0}
    assert [y for _x, y in points(wpm)] == [d.wpm for d in f.delivery] == [175, 167, 159, 151, 143]
    assert [round(y, 2) for _x, y in points(fillers)] == [6.0, 4.8, 3.6, 2.4, 1.2]

    assert page.tiles["today"].value.text() == "1"
    assert page.tiles["attempts"].value.text() == "5"


def test_a_shorter_period_redraws_and_esc_goes_back_home(
    qtbot: QtBot, practised: tuple[MainWindow, Path]
) -> None:
    window, _ = practised
    open_stats(qtbot, window)
    page = window.stats
    with qtbot.waitSignal(page.loaded, timeout=WAIT) as blocker:
        page.period.setCurrentIndex(0)  # last 7 days
    assert blocker.args[0].days == 7
    (reviews,) = page.chart("reviews").series()
    assert bar_sets(reviews)[1].count() == 7
    with qtbot.waitSignal(window.home_shown, timeout=WAIT):
        qtbot.keyClick(page, Qt.Key.Key_Escape)
    assert window.stack.currentWidget() is window.home


def test_the_coverage_chart_can_follow_one_prompt(
    qtbot: QtBot, practised: tuple[MainWindow, Path]
) -> None:
    window, _ = practised
    f = open_stats(qtbot, window)
    combo = window.stats.prompt_filter
    combo.setCurrentIndex(combo.findData(f.coverage[1].card_id))
    (coverage,) = window.stats.chart("coverage").series()
    assert len(points(coverage)) == len(f.coverage[1].points) == 2


def test_history_shows_each_attempt_and_replays_its_recording(
    qtbot: QtBot, practised: tuple[MainWindow, Path]
) -> None:
    window, recording = practised
    f = open_stats(qtbot, window)
    page: StatsPage = window.stats
    history = page.history
    wanted = f.coverage[1].card_id
    with qtbot.waitSignal(
        history.loaded, timeout=WAIT, check_params_cb=lambda h: h.card_id == wanted
    ) as blocker:
        page.open_history(wanted)
    assert page.tabs.tabText(page.tabs.currentIndex()) == "Role-play history"
    card_history = blocker.args[0]
    assert history.list.count() == len(card_history.attempts) == 2
    newest = history.selected()
    assert newest is not None and newest.transcript == "answer 4"
    assert newest.audio_path == recording
    assert "answer 4" in history.detail.toPlainText()
    assert "Coverage 67%" in history.detail.toPlainText()
    assert history.play_button.isEnabled()
    history.play_button.click()
    assert history.player.current == recording
    assert history.play_button.text().endswith("Stop")
    history.list.setCurrentRow(1)  # the older answer has no recording
    assert not history.play_button.isEnabled()
    assert history.play_button.text().endswith("Play recording")


def test_history_names_who_asks_as_the_deck_calls_them(
    qtbot: QtBot, practised: tuple[MainWindow, Path]
) -> None:
    window, _ = practised
    f = open_stats(qtbot, window)
    page: StatsPage = window.stats
    with (ROOT / "content" / "rag-vs-fine-tuning.toml").open("rb") as fh:
        names = {p["key"]: p["name"] for p in tomllib.load(fh)["personas"]}
    prompt = f.coverage[0]
    name = names[prompt.persona]
    assert name != prompt.persona, "the built-in deck's personas have names of their own"
    assert page.prompt_filter.findText(name, Qt.MatchFlag.MatchStartsWith) > 0
    with qtbot.waitSignal(page.history.loaded, timeout=WAIT):
        page.open_history(prompt.card_id)
    assert page.history.heading.text().startswith(f"{name} ({prompt.persona}): ")


def category_labels(series: QAbstractSeries) -> list[str]:
    (axis,) = [a for a in series.attachedAxes() if isinstance(a, QCategoryAxis)]
    return list(axis.categoriesLabels())


def test_over_90_days_the_day_axes_carry_few_enough_dates_to_show_them_whole(
    qtbot: QtBot, practised: tuple[MainWindow, Path]
) -> None:
    window, _ = practised
    open_stats(qtbot, window)
    page = window.stats
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        page.period.setCurrentIndex(2)  # last 90 days
    for chart in ("reviews", "forecast", "retention"):
        labels = category_labels(page.chart(chart).series()[0])
        assert 3 <= len(labels) <= 5, (chart, labels)
        assert len(set(labels)) == len(labels), (chart, labels)
    assert category_labels(page.chart("reviews").series()[0])[-1] == "Today"


def test_answers_of_one_evening_put_each_date_once_under_the_delivery_chart(
    qtbot: QtBot, data_dir: Path
) -> None:
    store = Store.open(data_dir)
    evening = datetime.now().astimezone().replace(hour=21, minute=0) - timedelta(days=1)
    with store.session() as s:
        (card, *_) = services.list_cards(s, DECK, "roleplay")
    for n in range(3):
        data = services.AttemptData(
            f"answer {n}",
            0.5,
            {"delivery": {"wpm": 150.0}},
            "vosk",
            40.0,
            created_at=(evening + timedelta(minutes=20 * n)).astimezone(UTC),
        )
        with store.session() as s:
            services.record_attempt(s, card.id, data)
    store.close()
    window = create_window(data_dir)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.home.decks_shown, timeout=WAIT):
        window.show()
    open_stats(qtbot, window)
    axis = next(a for a in window.stats.chart("delivery").axes() if isinstance(a, QDateTimeAxis))
    start, end = axis.min().toPython(), axis.max().toPython()
    assert isinstance(start, datetime) and isinstance(end, datetime)
    ticks = [start + (end - start) * i / (axis.tickCount() - 1) for i in range(axis.tickCount())]
    days = [t.date() for t in ticks]
    assert len(set(days)) == len(days) >= 3, ticks
    assert evening.date() in days
    assert all(t.hour == 12 and t.minute == 0 for t in ticks), ticks
    window.close()


def test_counts_of_one_are_written_in_the_singular(qtbot: QtBot, data_dir: Path) -> None:
    store = Store.open(data_dir)
    now = utcnow()
    with store.session() as s:
        deck = services.find_deck(s, DECK)
        (flashcard, *_) = services.due_queue(s, deck.id, now, 20, kind="flashcard")
        (roleplay, *_) = services.list_cards(s, DECK, "roleplay")
        services.review_card(s, flashcard, 3, now - timedelta(seconds=5))
    labels = [kp.label for kp in roleplay.key_points]
    result = {"key_points": [{"label": k, "met": False} for k in labels[:1]]}
    with store.session() as s:
        services.record_attempt(s, roleplay.id, services.AttemptData("um", 0.0, result, "vosk"))
    store.close()
    window = create_window(data_dir)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.home.decks_shown, timeout=WAIT):
        window.show()
    open_stats(qtbot, window)
    page = window.stats
    assert page.cards["reviews"].note.text() == "1 review in 30 days, on 1 day"
    assert page.cards["missed"].note.text() == "across 1 answer"
    assert page.cards["coverage"].note.text().startswith("1 answer to 1 prompt ·")
    assert page.tiles["attempts"].caption.text() == "role-play answer"
    assert page.cards["forecast"].note.text().endswith("none overdue")
    window.close()


def test_file_back_up_now_makes_a_backup_and_says_where(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    back_up = next(a for a in window.actions() if a.text() == "&Back up now")
    back_up.trigger()

    def made() -> set[Path]:  # the start-up backup is there too; this one is by hand
        found = backups.list_backups(data_dir, with_cards=False)
        return {b.path for b in found if b.path.name.endswith("-by-hand.sqlite3")}

    qtbot.waitUntil(lambda: bool(made()), timeout=WAIT)
    (path,) = made()
    qtbot.waitUntil(lambda: str(path) in window.statusBar().currentMessage(), timeout=WAIT)
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("select count(*) from card").fetchone()[0] > 0


def _guard(window: MainWindow) -> BackupTimer:
    guard = window.backend.findChild(BackupTimer)
    assert guard is not None
    return guard


def test_a_backup_is_made_at_start_and_restoring_one_reopens_the_collection(
    qtbot: QtBot,
    practised: tuple[MainWindow, Path],
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window, _ = practised
    guard = _guard(window)
    qtbot.waitUntil(guard.timer.isActive, timeout=WAIT)  # checked, backed up, timer on
    assert guard.timer.interval() == 30 * 60 * 1000
    assert len(backups.list_backups(data_dir)) == 1
    # Study one more card, then go back to the backup from before it.
    with qtbot.waitSignal(window.backend.collection_changed, timeout=WAIT):
        window.backend.db(
            lambda s: services.review_card(s, services.list_cards(s, DECK)[10].id, 3, utcnow()),
            changes=True,
        )
    monkeypatch.setattr(RestoreDialog, "confirm", staticmethod(lambda parent, info: True))
    dialog = RestoreDialog(window, window.backend)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=WAIT)
    cards = dialog.table.item(0, 1)
    assert cards is not None and cards.text() == str(dialog.backups[0].cards)
    with qtbot.waitSignal(window.backend.store_ready, timeout=WAIT):
        dialog.restore_button.click()
    with closing(sqlite3.connect(data_dir / "collection.sqlite3")) as conn:
        assert conn.execute("SELECT count(*) FROM review_log").fetchone()[0] == 16
    names = [b.path.name for b in backups.list_backups(data_dir)]
    assert any(n.endswith("-before-restore.sqlite3") for n in names)


def test_a_damaged_collection_shows_a_banner_that_restores_the_last_good_backup(
    qtbot: QtBot, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store.open(data_dir)
    backups.create_backup(store.db_path, data_dir, utcnow() - timedelta(hours=3))
    store.close()
    db = data_dir / "collection.sqlite3"
    data = bytearray(db.read_bytes())
    middle = len(data) // 2 // 4096 * 4096
    data[middle : middle + 8192] = b"\xee" * 8192
    db.write_bytes(bytes(data))

    monkeypatch.setattr(RestoreDialog, "confirm", staticmethod(lambda parent, info: True))
    window = create_window(data_dir)
    qtbot.addWidget(window)
    window.show()
    banner = window.banner
    qtbot.waitUntil(lambda: banner.action.text() == "Restore last good backup", timeout=WAIT)
    assert banner.isVisible() and "damaged" in banner.label.text()
    with qtbot.waitSignal(window.home.decks_shown, timeout=WAIT):
        banner.action.click()
    assert backups.check_integrity(db) is None
    assert [d.name for d in window.home.decks] == [DECK]
    assert any(p.name.startswith("damaged-") for p in (data_dir / "backups").iterdir())
    window.close()


def test_at_800_by_600_the_charts_take_two_columns_and_dark_labels_stay_readable(
    qtbot: QtBot, practised: tuple[MainWindow, Path]
) -> None:
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    from app.ui.theme import apply_theme

    window, _ = practised
    window.resize(800, 600)
    qtbot.waitUntil(lambda: window.width() == 800)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, "dark")
    try:
        open_stats(qtbot, window)
        page = window.stats
        qtbot.waitUntil(lambda: page.chart_grid.columns == 2)
        qtbot.waitUntil(lambda: min(c.width() for c in page.cards.values()) >= 340)
        assert window.stack.scroll_area(page).horizontalScrollBar().maximum() == 0
        weekly, _overall = page.chart("retention").series()
        text = page.palette().color(QPalette.ColorRole.WindowText)
        assert text.lightness() > 200 and line(weekly).pointLabelsColor() == text
    finally:
        apply_theme(app, "system")
