"""Statistics: how much was studied, what is coming, what sticks, and how the spoken
answers are improving — drawn with QtCharts from one ``stats.deck_stats`` call made on
the DB worker. A second tab replays each role-play's attempts."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from PySide6.QtCharts import (
    QAbstractAxis,
    QAbstractSeries,
    QAreaSeries,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QCategoryAxis,
    QChart,
    QChartView,
    QDateTimeAxis,
    QHorizontalBarSeries,
    QLineSeries,
    QStackedBarSeries,
    QValueAxis,
    QXYSeries,
)
from PySide6.QtCore import QDateTime, QMargins, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QPainter, QPalette, QPen, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core import stats
from app.core.clock import utcnow
from app.core.stats import DeckStats
from app.ui.backend import Backend
from app.ui.history import CardHistoryView
from app.ui.reflow import ReflowGrid
from app.ui.widgets import card_frame, plain_label, plural, subtle, title

NEW = QColor("#2f7fc1")
REVIEW = QColor("#3f9a5a")
DUE = QColor("#7a5bc7")
RETENTION = QColor("#e0892b")
MISSED = QColor("#d9534f")
WPM = QColor("#2f7fc1")
FILLERS = QColor("#e0892b")
BAND = QColor(63, 154, 90, 60)
LINES = ["#2f7fc1", "#e0892b", "#3f9a5a", "#7a5bc7", "#d9534f", "#17a2b8", "#8c6d46"]
PERIODS = (("Last 7 days", 7), ("Last 30 days", 30), ("Last 90 days", 90))
ALL_PROMPTS = -1


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _chart_text(text: str, limit: int) -> str:
    """Deck text for a chart, escaped: QtCharts draws legend entries and axis labels as
    HTML."""
    return html.escape(_short(text, limit), quote=False)


def _msecs(when: datetime | date) -> float:
    if not isinstance(when, datetime):
        when = datetime.combine(when, time(12), tzinfo=UTC)
    return when.timestamp() * 1000


def _day_label(d: date) -> str:
    return f"{d.day} {d:%b}"


MOST_AXIS_LABELS = 5  # what a chart card's axis holds without cutting "10 Oct" to "10 …"


def label_step(count: int, week: int = 7) -> int:
    """Label every how many of ``count`` bars or points so that at most
    MOST_AXIS_LABELS show; an axis of days long enough to need a step of four or more
    labels whole weeks (pass ``week=1`` for an axis of weeks)."""
    step = max(1, math.ceil(count / MOST_AXIS_LABELS))
    return step if step < 4 else math.ceil(step / week) * week


class ChartCard(QWidget):
    """A titled chart with an optional control, and a message in its place when there
    is nothing to draw yet."""

    def __init__(self, heading: str, empty_text: str, control: QWidget | None = None) -> None:
        super().__init__()
        frame = card_frame()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)
        layout = QVBoxLayout(frame)
        layout.setContentsMargins(14, 10, 14, 6)
        layout.setSpacing(2)
        row = QHBoxLayout()
        self.heading = plain_label(heading, "SectionTitle")
        row.addWidget(self.heading, 1)
        if control is not None:
            row.addWidget(control)
        layout.addLayout(row)
        self.note = subtle()
        self.note.setWordWrap(False)
        layout.addWidget(self.note)
        self.chart = QChart()
        self.chart.setBackgroundVisible(False)
        # Room on the left and right for the outermost axis labels ("Today").
        self.chart.setMargins(QMargins(6, 4, 16, 0))
        self.chart.layout().setContentsMargins(0, 0, 0, 0)
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.view = QChartView(self.chart)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setMinimumHeight(180)
        self.view.setStyleSheet("background: transparent")
        # A picture, not a control: Tab skips it (its figures are in the notes, and the
        # history tab opens each prompt's answers).
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.empty = subtle(empty_text)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)
        layout.addWidget(self.stack, 1)

    def reset(self) -> None:
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
            axis.deleteLater()

    def show_chart(self, has_data: bool) -> None:
        self.stack.setCurrentIndex(0 if has_data else 1)

    def style_axes(self, palette: QPalette) -> None:
        text = palette.color(QPalette.ColorRole.WindowText)
        grid = palette.color(QPalette.ColorRole.Mid)
        grid.setAlpha(110)
        font = QFont(self.font())
        font.setPointSizeF(max(8.0, font.pointSizeF() * 0.9))
        for axis in self.chart.axes():
            axis.setLabelsColor(text)
            axis.setLabelsFont(font)
            axis.setTitleBrush(QBrush(text))
            axis.setTitleFont(font)
            axis.setGridLineColor(grid)
            axis.setLinePenColor(grid)
        for series in self.chart.series():
            if isinstance(series, QXYSeries) and series.pointLabelsVisible():
                series.setPointLabelsColor(text)  # Qt's default is dark on any theme
        legend = self.chart.legend()
        legend.setLabelColor(text)
        legend.setFont(font)


class StatCard(QWidget):
    """One headline figure with its caption."""

    def __init__(self, caption: str, tooltip: str) -> None:
        super().__init__()
        frame = card_frame()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)
        layout = QVBoxLayout(frame)
        layout.setContentsMargins(14, 8, 14, 8)
        layout.setSpacing(0)
        self.value = plain_label("–", "StatValue")
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 1.7)
        font.setWeight(QFont.Weight.DemiBold)
        self.value.setFont(font)
        layout.addWidget(self.value)
        self.caption = subtle(caption)
        layout.addWidget(self.caption)
        self.setToolTip(tooltip)


class StatsPage(QWidget):
    finished = Signal()
    loaded = Signal(object)  # DeckStats, once every chart shows it

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.setObjectName("Page")
        self.backend = backend
        self.deck_name = ""
        self.figures: DeckStats | None = None
        self._generation = 0

        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 16, 28, 12)
        layout.setSpacing(10)
        top = QHBoxLayout()
        self.heading = title("Statistics")
        top.addWidget(self.heading)
        self.deck_label = plain_label(name="SectionTitle")
        top.addWidget(self.deck_label, 1, Qt.AlignmentFlag.AlignBottom)
        self.period = QComboBox()
        for text, days in PERIODS:
            self.period.addItem(text, days)
        self.period.setCurrentIndex(1)
        self.period.setToolTip("How far back the review figures go")
        self.period.currentIndexChanged.connect(self.reload)
        top.addWidget(self.period)
        back = QPushButton("Back to decks")
        back.setToolTip("Leave the statistics (Esc)")
        back.clicked.connect(self.finished)
        top.addWidget(back)
        layout.addLayout(top)

        tiles = ReflowGrid(column_width=150, counts=(6, 3, 2))
        self.tiles = {
            "today": StatCard("reviewed today", "Ratings given today"),
            "due": StatCard("due tomorrow", "Cards that fall due tomorrow"),
            "retention": StatCard(
                "retention", "Good or Easy on cards already seen, over the deck's history"
            ),
            "attempts": StatCard("role-play answers", "Role-play attempts in this deck"),
            "coverage": StatCard(
                "coverage, last 10", "Share of key points met in the last 10 answers"
            ),
            "pace": StatCard("words/min, last 10", "Speaking pace over the last 10 answers"),
        }
        for tile in self.tiles.values():
            tiles.addWidget(tile)
        layout.addWidget(tiles)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        layout.addWidget(self.tabs, 1)
        self.tabs.addTab(self._build_overview(), "Overview")
        self.tabs.addTab(self._build_history(), "Role-play history")

        escape = QShortcut(QKeySequence("Escape"), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.finished.emit)
        backend.collection_changed.connect(self._collection_changed)
        backend.settings_changed.connect(self._settings_changed)  # the theme's colours

    # -- layout -------------------------------------------------------------------
    def _build_overview(self) -> QWidget:
        # Each chart at least as wide as its axis labels need: fewer columns, not "…".
        page = ReflowGrid(column_width=340)
        page.grid.setContentsMargins(0, 10, 0, 0)
        self.prompt_filter = QComboBox()
        self.prompt_filter.setToolTip("Show every role-play, or follow one")
        self.prompt_filter.setMinimumWidth(150)
        self.prompt_filter.setMaximumWidth(220)
        self.prompt_filter.currentIndexChanged.connect(self._draw_coverage)
        self.cards = {
            "reviews": ChartCard("Reviews per day", "No reviews in this period yet."),
            "forecast": ChartCard("Due in the next 30 days", "No cards have been studied yet."),
            "retention": ChartCard("Retention by week", "No reviews of seen cards yet."),
            "coverage": ChartCard(
                "Coverage by attempt",
                "No role-play answers yet.",
                control=self.prompt_filter,
            ),
            "missed": ChartCard("Key points missed most", "No key point missed so far."),
            "delivery": ChartCard("Delivery over time", "No spoken answers yet."),
        }
        for card in self.cards.values():
            page.addWidget(card)
        self.chart_grid = page
        return page

    def _build_history(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 10, 0, 0)
        row = QHBoxLayout()
        row.addWidget(plain_label("Role-play:"))
        self.history_prompt = QComboBox()
        self.history_prompt.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.history_prompt.setMinimumContentsLength(50)
        self.history_prompt.currentIndexChanged.connect(self._history_prompt_changed)
        row.addWidget(self.history_prompt, 1)
        layout.addLayout(row)
        self.history = CardHistoryView(self.backend)
        layout.addWidget(self.history, 1)
        return page

    def chart(self, name: str) -> QChart:
        return self.cards[name].chart

    # -- loading --------------------------------------------------------------------
    def show_deck(self, deck_name: str) -> None:
        self.deck_name = deck_name
        self.deck_label.setText(deck_name)
        self.reload()

    @property
    def days(self) -> int:
        return int(self.period.currentData())

    def reload(self) -> None:
        if not self.deck_name or not self.backend.is_ready:
            return
        deck, days = self.deck_name, self.days
        self._generation += 1
        generation = self._generation

        def loaded(figures: DeckStats) -> None:
            if generation == self._generation:  # a newer request supersedes this one
                self.apply(figures)

        self.backend.db(lambda s: stats.deck_stats(s, deck, utcnow(), days=days), loaded)

    def _collection_changed(self) -> None:
        if self.isVisible():
            self.reload()

    def _settings_changed(self) -> None:
        # QtCharts takes its colours when a chart is drawn, not from the palette later.
        if self.isVisible() and self.figures is not None:
            self.apply(self.figures)

    def apply(self, figures: DeckStats) -> None:
        self.figures = figures
        self._fill_tiles(figures)
        self._draw_reviews(figures)
        self._draw_forecast(figures)
        self._draw_retention(figures)
        self._fill_prompts(figures)
        self._draw_coverage()
        self._draw_missed(figures)
        self._draw_delivery(figures)
        self.loaded.emit(figures)

    # -- figures ----------------------------------------------------------------------
    def _fill_tiles(self, f: DeckStats) -> None:
        t = f.totals

        def pct(v: float | None) -> str:
            return "–" if v is None else f"{v:.0%}"

        tomorrow = f.due_forecast[1].due if len(f.due_forecast) > 1 else 0
        self.tiles["today"].value.setText(str(t.reviews_today))
        self.tiles["due"].value.setText(str(tomorrow))
        self.tiles["retention"].value.setText(pct(f.retention_overall.rate))
        self.tiles["attempts"].value.setText(str(t.attempts))
        self.tiles["attempts"].caption.setText(
            "role-play answer" if t.attempts == 1 else "role-play answers"
        )
        self.tiles["coverage"].value.setText(pct(t.recent_coverage))
        self.tiles["pace"].value.setText("–" if t.recent_wpm is None else f"{t.recent_wpm:.0f}")

    def _day_axis(self, days: Sequence[date]) -> QCategoryAxis:
        """Day bars sit at x = 0..n-1; labelled back from today, few enough that none is
        cut short."""
        axis = QCategoryAxis()
        axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
        axis.setRange(-0.5, len(days) - 0.5)
        last = len(days) - 1
        step = label_step(len(days))
        for i in sorted(range(last, -1, -step)):  # the axis wants rising values
            axis.append("Today" if i == last else _day_label(days[i]), i)
        axis.setGridLineVisible(False)
        return axis

    def _count_axis(self, top: float) -> QValueAxis:
        axis = QValueAxis()
        axis.setRange(0, max(4.0, top))
        axis.applyNiceNumbers()
        axis.setLabelFormat("%d")
        return axis

    def _draw_reviews(self, f: DeckStats) -> None:
        card = self.cards["reviews"]
        card.reset()
        series = QStackedBarSeries()
        new, seen = QBarSet("New cards"), QBarSet("Seen cards")
        new.setColor(NEW)
        seen.setColor(REVIEW)
        for d in f.reviews_per_day:
            new.append(d.new)
            seen.append(d.review)
        series.append(new)
        series.append(seen)
        series.setBarWidth(0.75)
        card.chart.addSeries(series)
        x = self._day_axis([d.day for d in f.reviews_per_day])
        y = self._count_axis(max((d.count for d in f.reviews_per_day), default=0))
        y.setTitleText("Reviews")
        self._attach(card.chart, series, x, y)
        total = sum(d.count for d in f.reviews_per_day)
        active = sum(1 for d in f.reviews_per_day if d.count)
        card.note.setText(f"{plural(total, 'review')} in {f.days} days, on {plural(active, 'day')}")
        card.style_axes(self.palette())
        card.show_chart(total > 0)

    def _draw_forecast(self, f: DeckStats) -> None:
        card = self.cards["forecast"]
        card.reset()
        series = QBarSeries()
        due = QBarSet("Cards due")
        due.setColor(DUE)
        for d in f.due_forecast:
            due.append(d.due)
        series.append(due)
        series.setBarWidth(0.75)
        card.chart.addSeries(series)
        card.chart.legend().hide()
        # The forecast starts today: label the first bar, not the last.
        x = self._forecast_axis([d.day for d in f.due_forecast])
        y = self._count_axis(max((d.due for d in f.due_forecast), default=0))
        y.setTitleText("Cards")
        self._attach(card.chart, series, x, y)
        total = sum(d.due for d in f.due_forecast)
        overdue = f"{f.overdue} of them overdue" if f.overdue else "none overdue"
        card.note.setText(f"{plural(total, 'card')} due, {overdue}")
        card.style_axes(self.palette())
        card.show_chart(total > 0 or f.totals.seen > 0)

    def _forecast_axis(self, days: Sequence[date]) -> QCategoryAxis:
        axis = QCategoryAxis()
        axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
        axis.setRange(-0.5, len(days) - 0.5)
        for i in range(0, len(days), label_step(len(days))):
            axis.append("Today" if i == 0 else _day_label(days[i]), i)
        axis.setGridLineVisible(False)
        return axis

    def _draw_retention(self, f: DeckStats) -> None:
        card = self.cards["retention"]
        card.reset()
        weekly = QLineSeries()
        weekly.setName("Good or Easy, per week")
        weekly.setColor(RETENTION)
        weekly.setPointsVisible(True)
        # A figure over each point, while there is room for them side by side.
        weekly.setPointLabelsVisible(len(f.retention_weekly) <= 2 * MOST_AXIS_LABELS)
        weekly.setPointLabelsFormat("@yPoint%")
        weekly.setPointLabelsClipping(False)
        pen = weekly.pen()
        pen.setWidthF(2.5)
        weekly.setPen(pen)
        for i, w in enumerate(f.retention_weekly):
            if w.rate is not None:
                weekly.append(i, round(w.rate * 100))
        card.chart.addSeries(weekly)
        overall = QLineSeries()
        rate = f.retention_overall.rate
        overall.setName("All time" if rate is None else f"All time: {rate:.0%}")
        dashed = QPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        dashed.setStyle(Qt.PenStyle.DashLine)
        dashed.setWidthF(1.5)
        overall.setPen(dashed)
        n = len(f.retention_weekly)
        if rate is not None:
            overall.append(-0.5, rate * 100)
            overall.append(n - 0.5, rate * 100)
        card.chart.addSeries(overall)
        x = QCategoryAxis()
        x.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
        x.setRange(-0.5, n - 0.5)
        step = label_step(n, week=1)
        for i in sorted(range(n - 1, -1, -step)):
            week = f.retention_weekly[i].week
            x.append(_day_label(week) if week else str(i), i)
        x.setGridLineVisible(False)
        x.setTitleText("Week starting")
        y = QValueAxis()
        y.setRange(0, 110)
        y.setTickCount(5)
        y.setTickType(QValueAxis.TickType.TicksDynamic)
        y.setTickInterval(25)
        y.setTickAnchor(0)
        y.setLabelFormat("%d%%")
        self._attach(card.chart, weekly, x, y)
        overall.attachAxis(x)
        overall.attachAxis(y)
        card.note.setText(f"{plural(f.retention_overall.reviews, 'review')} of seen cards")
        card.style_axes(self.palette())
        card.show_chart(f.retention_overall.reviews > 0)

    def _fill_prompts(self, f: DeckStats) -> None:
        chosen = self.prompt_filter.currentData()
        history_chosen = self.history_prompt.currentData()
        for combo in (self.prompt_filter, self.history_prompt):
            combo.blockSignals(True)
            combo.clear()
        self.prompt_filter.addItem("All prompts", ALL_PROMPTS)
        for c in f.coverage:
            label = f"{_short(c.title, 70)} ({len(c.points)})"
            self.prompt_filter.addItem(_short(c.title, 40), c.card_id)
            self.history_prompt.addItem(label, c.card_id)
        for combo, value in ((self.prompt_filter, chosen), (self.history_prompt, history_chosen)):
            index = combo.findData(value) if value is not None else -1
            combo.setCurrentIndex(max(0, index))
            combo.blockSignals(False)
        if f.coverage:
            self._history_prompt_changed()
        else:
            self.history.clear()

    def _history_prompt_changed(self, _index: int = 0) -> None:
        card_id = self.history_prompt.currentData()
        if card_id is not None:
            self.history.show_card(int(card_id))

    def open_history(self, card_id: int) -> None:
        index = self.history_prompt.findData(card_id)
        if index >= 0:
            self.history_prompt.setCurrentIndex(index)
            self._history_prompt_changed()
            self.tabs.setCurrentIndex(1)

    def _draw_coverage(self, _index: int = 0) -> None:
        f = self.figures
        card = self.cards["coverage"]
        card.reset()
        if f is None:
            return
        chosen = self.prompt_filter.currentData()
        prompts = [c for c in f.coverage if chosen in (None, ALL_PROMPTS, c.card_id)]
        longest = max((len(c.points) for c in prompts), default=1)
        for i, prompt in enumerate(prompts):
            series = QLineSeries()
            series.setName(_chart_text(prompt.title, 32))
            series.setColor(QColor(LINES[i % len(LINES)]))
            series.setPointsVisible(True)
            pen = series.pen()
            pen.setWidthF(2.2)
            series.setPen(pen)
            for p in prompt.points:
                series.append(p.number, round(p.coverage * 100, 1))
            series.clicked.connect(lambda _pt, cid=prompt.card_id: self.open_history(cid))
            card.chart.addSeries(series)
        x = QValueAxis()
        x.setRange(0.8, max(2, longest) + 0.2)
        x.setTickType(QValueAxis.TickType.TicksDynamic)
        x.setTickAnchor(1)
        x.setTickInterval(1 if longest <= 10 else max(1, longest // 8))
        x.setLabelFormat("%d")
        x.setTitleText("Attempt")
        y = QValueAxis()
        y.setRange(0, 105)
        y.setTickType(QValueAxis.TickType.TicksDynamic)
        y.setTickAnchor(0)
        y.setTickInterval(25)
        y.setLabelFormat("%d%%")
        card.chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        card.chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        for line in card.chart.series():
            line.attachAxis(x)
            line.attachAxis(y)
        card.chart.legend().setVisible(0 < len(prompts) <= 4)
        attempts = sum(len(c.points) for c in prompts)
        card.note.setText(
            f"{plural(attempts, 'answer')} to {plural(len(prompts), 'prompt')} · "
            "click a line for its history"
            if prompts
            else ""
        )
        card.style_axes(self.palette())
        card.show_chart(bool(prompts))

    def _draw_missed(self, f: DeckStats) -> None:
        card = self.cards["missed"]
        card.reset()
        shown = list(f.missed_key_points[:7])
        series = QHorizontalBarSeries()
        missed = QBarSet("Times missed")
        missed.setColor(MISSED)
        labels: list[str] = []
        for m in reversed(shown):  # the chart draws bottom-up; most missed on top
            missed.append(m.missed)
            label = _chart_text(m.label, 30)
            while label in labels:  # categories must be unique
                label += " "
            labels.append(label)
        series.append(missed)
        series.setBarWidth(0.7)
        series.setLabelsVisible(True)
        series.setLabelsPosition(QHorizontalBarSeries.LabelsPosition.LabelsInsideEnd)
        missed.setLabelColor(QColor("white"))
        card.chart.addSeries(series)
        card.chart.legend().hide()
        y = QBarCategoryAxis()
        y.append(labels)
        y.setGridLineVisible(False)
        x = self._count_axis(max((m.missed for m in shown), default=0))
        x.setTitleText("Answers that missed it")
        card.chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        card.chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x)
        series.attachAxis(y)
        card.note.setText(f"across {plural(f.totals.attempts, 'answer')}" if shown else "")
        card.style_axes(self.palette())
        card.show_chart(bool(shown))

    def _draw_delivery(self, f: DeckStats) -> None:
        card = self.cards["delivery"]
        card.reset()
        points = f.delivery
        low, high = f.wpm_comfort
        start, end, ticks = _day_span(
            [p.created_at for p in points] or [f.generated_at - timedelta(days=1), f.generated_at]
        )
        upper, lower = QLineSeries(), QLineSeries()
        upper.append(start, high)
        upper.append(end, high)
        lower.append(start, low)
        lower.append(end, low)
        band = QAreaSeries(upper, lower)
        band.setName(f"{low:.0f}–{high:.0f} wpm")
        band.setColor(BAND)
        band.setBorderColor(QColor(0, 0, 0, 0))
        upper.setParent(band)
        lower.setParent(band)
        card.chart.addSeries(band)
        wpm = QLineSeries()
        wpm.setName("Pace (wpm)")
        wpm.setColor(WPM)
        wpm.setPointsVisible(True)
        pen = wpm.pen()
        pen.setWidthF(2.5)
        wpm.setPen(pen)
        fillers = QLineSeries()
        fillers.setName("Fillers/min")
        fillers.setColor(FILLERS)
        fillers.setPointsVisible(True)
        pen = fillers.pen()
        pen.setWidthF(1.5)
        fillers.setPen(pen)
        for p in points:
            wpm.append(_msecs(p.created_at), p.wpm)
            if p.fillers_per_minute is not None:
                fillers.append(_msecs(p.created_at), p.fillers_per_minute)
        card.chart.addSeries(wpm)
        card.chart.addSeries(fillers)
        x = QDateTimeAxis()
        x.setFormat("d MMM")
        x.setRange(_qdt(start), _qdt(end))
        x.setTickCount(ticks)
        y = QValueAxis()
        top = max([high + 40, *(p.wpm + 20 for p in points)])
        y.setRange(0, top)
        y.applyNiceNumbers()
        y.setLabelFormat("%d")
        y.setTitleText("Words/min")
        y2 = QValueAxis()
        ftop = max([4.0, *(p.fillers_per_minute or 0 for p in points)])
        y2.setRange(0, ftop * 1.2)
        y2.applyNiceNumbers()
        y2.setLabelFormat("%.0f")
        y2.setTitleText("Fillers/min")
        y2.setGridLineVisible(False)
        card.chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        card.chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        card.chart.addAxis(y2, Qt.AlignmentFlag.AlignRight)
        for series in (band, wpm):
            series.attachAxis(x)
            series.attachAxis(y)
        fillers.attachAxis(x)
        fillers.attachAxis(y2)
        in_band = sum(1 for p in points if low <= p.wpm <= high)
        card.note.setText(
            f"{in_band} of {plural(len(points), 'answer')} at a comfortable pace "
            f"({low:.0f}–{high:.0f} wpm)"
            if points
            else ""
        )
        card.style_axes(self.palette())
        card.show_chart(bool(points))

    @staticmethod
    def _attach(chart: QChart, series: QAbstractSeries, x: QAbstractAxis, y: QAbstractAxis) -> None:
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x)
        series.attachAxis(y)


def _day_span(times: Sequence[datetime]) -> tuple[float, float, int]:
    """A time axis over ``times`` whose ticks fall on local noons, from (at least) the
    noon before the first day to the noon after the last. Ticks anywhere else repeated
    a date ("3 Dec 3 Dec 4 Dec" under the answers of one evening), and a tick at
    midnight would slip to the day before when the clocks change."""
    last = max(times).astimezone().date() + timedelta(days=1)
    days = (last - min(times).astimezone().date()).days + 1
    per_tick = math.ceil(days / (MOST_AXIS_LABELS - 1))  # whole days between ticks
    days = per_tick * math.ceil(days / per_tick)  # any extra days go before, not after
    start = datetime.combine(last - timedelta(days=days), time(12)).astimezone()
    end = datetime.combine(last, time(12)).astimezone()
    return start.timestamp() * 1000, end.timestamp() * 1000, days // per_tick + 1


def _qdt(msecs: float) -> QDateTime:
    return QDateTime.fromMSecsSinceEpoch(int(msecs))
