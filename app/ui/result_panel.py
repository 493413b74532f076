"""The result of one rehearsal answer: coverage, each key point's verdict (met, partly,
missed, contradicted) with its evidence highlighted in the transcript, a one-click (or
Ctrl+number) correction of any verdict, delivery, the model answer, the user's
recording, and the suggested rating with one-key accept or override.

Deck text is shown as plain text everywhere; only the transcript, whose every piece is
escaped here, is HTML (for the highlights)."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.core.scheduling import RATING_NAMES
from app.ui.reflow import Reflow
from app.ui.widgets import card_frame, plain_label, plain_tooltip, subtle, tab_order

if TYPE_CHECKING:
    from app.scoring.types import KeyPointResult, ScoreResult

COMFORTABLE_WPM = (120, 160)
# Enough for three or four lines of the transcript or the model answer.
TEXT_MIN_HEIGHT = 110


# How each verdict is marked: a sign, its colour, and the highlight of its evidence.
MARKS = {
    "met": ("✔", "#3f9a5a", "#fff1a8"),
    "partly": ("◐", "#c98a1a", "#fde2b0"),
    "missed": ("✘", "#d9534f", ""),
    "contradicted": ("⚠", "#b0306a", "#f6c6d8"),
}
FLIP_LABELS = {
    "met": "Doesn't count",
    "partly": "Doesn't count",
    "missed": "Count it",
    "contradicted": "Count it",
}

# The two sounds of a result, and their buttons' labels: (to play, to stop).
MODEL_ANSWER, MY_RECORDING = "model answer", "my recording"
PLAY_LABELS = {
    MODEL_ANSWER: ("▶ Model answer", "■ Stop model answer"),
    MY_RECORDING: ("▶ My recording", "■ Stop my recording"),
}
PLAY_TIPS = {MODEL_ANSWER: "Hear the model answer", MY_RECORDING: "Hear your own answer"}


def highlighted_transcript(result: ScoreResult) -> str:
    """The transcript as HTML with each key point's evidence marked, escaped."""
    text = result.transcript
    spans = sorted(
        (kp.evidence.start, kp.evidence.end, kp.label, kp.verdict)
        for kp in result.key_points
        if kp.verdict != "missed" and kp.evidence is not None
    )
    out, pos = [], 0
    for start, end, label, verdict in spans:
        if start < pos:  # overlapping evidence: the first mark already covers it
            continue
        out.append(html.escape(text[pos:start]))
        # Qt shows a title as a tooltip, and a tooltip as HTML if it looks like HTML.
        tip = html.escape(plain_tooltip(f"{label} ({verdict})"))
        out.append(
            f'<span style="background:{MARKS[verdict][2]};color:#222" title="{tip}">'
            f"{html.escape(text[start:end])}</span>"
        )
        pos = end
    out.append(html.escape(text[pos:]))
    body = "".join(out) or "<i>(nothing was heard)</i>"
    return f'<div style="font-size:12pt; line-height:140%">{body}</div>'


def describe_delivery(result: ScoreResult) -> list[tuple[str, str]]:
    d = result.delivery
    rows = []
    if d.wpm is not None:
        low, high = COMFORTABLE_WPM
        verdict = "comfortable" if low <= d.wpm <= high else ("slow" if d.wpm < low else "fast")
        rows.append(("Pace", f"{d.wpm:.0f} words/min ({verdict}; aim for {low}–{high})"))
    if d.duration_s is not None:
        rows.append(("Length", f"{d.duration_s:.0f} s"))
    fillers = ", ".join(f"{w} ×{n}" for w, n in sorted(d.fillers.items(), key=lambda i: -i[1]))
    rows.append(("Fillers", fillers or "none"))
    rows.append(
        (
            "Long pauses",
            ", ".join(f"{p.duration:.1f}s at {p.start:.0f}s" for p in d.long_pauses) or "none",
        )
    )
    hedges = ", ".join(f"“{w}” ×{n}" for w, n in d.hedges.items())
    rows.append(("Hedges", hedges or "none"))
    return rows


def verdict_detail(kp: KeyPointResult, would_count: list[str]) -> str:
    """The line under a key point: what was heard, or what would have counted."""
    if kp.verdict == "contradicted" and kp.evidence is not None:
        return f"You said: “{kp.evidence.text}” — {kp.reason or 'the opposite'}."
    if kp.verdict in ("met", "partly") and kp.evidence is not None:
        how = "close in meaning" if kp.method == "meaning" else "the deck's phrase"
        return f"“{kp.evidence.text}” ({how})"
    shown = "; ".join(f"“{w}”" for w in would_count[:3])
    return f"Would have counted: {shown}" if shown else ""


class ResultPanel(QWidget):
    rating_chosen = Signal(int)
    play_model_requested = Signal()
    play_recording_requested = Signal()
    # The user says key point N's verdict is wrong (its index).
    flip_requested = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.result: ScoreResult | None = None
        self.suggested = 3
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        top = QHBoxLayout()
        self.coverage_label = plain_label(name="PageTitle")
        top.addWidget(self.coverage_label)
        self.coverage_bar = QProgressBar()
        self.coverage_bar.setRange(0, 100)
        self.coverage_bar.setTextVisible(False)
        top.addWidget(self.coverage_bar, 1)
        layout.addLayout(top)

        # The key points and the model answer scroll between the coverage line and the
        # rating row, so the rating buttons stay in sight in any window (800×600 too);
        # the two cards stand side by side when there is room and stack when not.
        columns = Reflow(breakpoint=680)
        left = card_frame()
        ll = QVBoxLayout(left)
        ll.addWidget(self._section("Key points"))
        self.points_label = subtle()
        ll.addWidget(self.points_label)
        self.points_grid = QGridLayout()
        self.points_grid.setColumnStretch(1, 1)
        ll.addLayout(self.points_grid)
        self.flip_buttons: list[QPushButton] = []
        ll.addWidget(self._section("What you said"))
        self.transcript = QTextBrowser()
        self.transcript.setOpenLinks(False)
        self.transcript.setOpenExternalLinks(False)
        self.transcript.setMinimumHeight(TEXT_MIN_HEIGHT)
        ll.addWidget(self.transcript, 1)
        columns.addWidget(left, 3)

        right = card_frame()
        rl = QVBoxLayout(right)
        rl.addWidget(self._section("Delivery"))
        self.delivery_grid = QGridLayout()
        self.delivery_grid.setColumnStretch(1, 1)
        rl.addLayout(self.delivery_grid)
        rl.addWidget(self._section("Model answer"))
        self.model_answer = QTextBrowser()
        self.model_answer.setOpenLinks(False)
        self.model_answer.setMinimumHeight(TEXT_MIN_HEIGHT)
        rl.addWidget(self.model_answer, 1)
        play_row = QHBoxLayout()
        self.play_model = QPushButton()
        self.play_model.clicked.connect(self.play_model_requested)
        self.play_mine = QPushButton()
        self.play_mine.clicked.connect(self.play_recording_requested)
        for button, sound in ((self.play_model, MODEL_ANSWER), (self.play_mine, MY_RECORDING)):
            # As wide as its longer label, so the row does not jump when it changes.
            button.setText(PLAY_LABELS[sound][1])
            button.setMinimumWidth(button.sizeHint().width())
        self.show_playing(None)
        play_row.addWidget(self.play_model)
        play_row.addWidget(self.play_mine)
        play_row.addStretch(1)
        rl.addLayout(play_row)
        columns.addWidget(right, 2)
        self.columns = columns
        self.details = QScrollArea()
        self.details.setWidgetResizable(True)
        self.details.setFrameShape(QFrame.Shape.NoFrame)
        self.details.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.details.setMinimumHeight(TEXT_MIN_HEIGHT)
        # It takes the height the page has left rather than asking for all of its content
        # (which would make the page taller than the window and push the buttons away).
        self.details.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        self.details.setWidget(columns)
        # Tab goes to the controls inside, and the area scrolls to show each of them.
        self.details.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout.addWidget(self.details, 1)

        # The suggestion goes above the buttons when the row is narrow.
        rate_row = Reflow(spacing=8)
        self.suggestion = plain_label(name="SectionTitle", wrap=True)
        rate_row.addWidget(self.suggestion, 1)
        buttons = QWidget()
        bl = QHBoxLayout(buttons)
        bl.setContentsMargins(0, 0, 0, 0)
        self.rating_buttons: dict[int, QPushButton] = {}
        for rating, name in RATING_NAMES.items():
            button = QPushButton(f"{name} ({rating})")
            button.setObjectName(name)
            button.setToolTip(f"Rate {name} and go on ({rating})")
            button.clicked.connect(lambda _=False, r=rating: self.rating_chosen.emit(r))
            self.rating_buttons[rating] = button
            bl.addWidget(button)
        rate_row.addWidget(buttons)
        layout.addWidget(rate_row)
        self.countdown = subtle()
        layout.addWidget(self.countdown)

    @staticmethod
    def _section(text: str) -> QLabel:
        return plain_label(text, "SectionTitle")

    def show_playing(self, sound: str | None) -> None:
        """Which of the two sounds is playing (MODEL_ANSWER, MY_RECORDING or None): its
        button offers to stop it, the other to play."""
        for button, name in ((self.play_model, MODEL_ANSWER), (self.play_mine, MY_RECORDING)):
            play, stop = PLAY_LABELS[name]
            key = "M" if name == MODEL_ANSWER else "A"
            playing = sound == name
            button.setText(stop if playing else play)
            button.setToolTip(f"Stop playing ({key})" if playing else f"{PLAY_TIPS[name]} ({key})")
            button.setProperty("playing", playing)

    def show_result(
        self,
        result: ScoreResult,
        model_answer: str,
        has_recording: bool,
        engine: str,
        would_count: list[list[str]] | None = None,
    ) -> None:
        self.result = result
        self.suggested = result.suggested_rating
        percent = round(result.coverage * 100)
        met = sum(1 for kp in result.key_points if kp.met)
        self.coverage_label.setText(f"{percent}% covered")
        self.coverage_bar.setValue(percent)
        self.points_label.setText(
            f"{met} of {len(result.key_points)} met — a verdict looks wrong? Flip it "
            "(Ctrl+1…) and Parley learns the phrase; Ctrl+Z takes it back."
        )
        self._show_points(result, would_count or [[] for _ in result.key_points])
        # Reading order: each key point's button, what was said, the model answer and
        # its buttons, then the ratings.
        tab_order(
            *self.flip_buttons,
            self.transcript,
            self.model_answer,
            self.play_model,
            self.play_mine,
            *self.rating_buttons.values(),
        )
        self.transcript.setHtml(highlighted_transcript(result))
        while self.delivery_grid.count():
            item = self.delivery_grid.takeAt(0)
            if item is not None and (widget := item.widget()) is not None:
                widget.deleteLater()
        for row, (name, value) in enumerate(describe_delivery(result)):
            self.delivery_grid.addWidget(subtle(name), row, 0)
            self.delivery_grid.addWidget(plain_label(value, wrap=True), row, 1)
        self.model_answer.setPlainText(model_answer)
        self.play_mine.setEnabled(has_recording)
        name = RATING_NAMES[self.suggested]
        self.suggestion.setText(f"Suggested: {name} — Enter to accept, 1–4 to choose ({engine})")
        for rating, button in self.rating_buttons.items():
            button.setDefault(rating == self.suggested)
        self.countdown.setText("")

    def _show_points(self, result: ScoreResult, would_count: list[list[str]]) -> None:
        while self.points_grid.count():
            item = self.points_grid.takeAt(0)
            if item is not None and (widget := item.widget()) is not None:
                widget.deleteLater()
        self.flip_buttons = []
        for row, (kp, phrases) in enumerate(zip(result.key_points, would_count, strict=False)):
            sign, colour, _ = MARKS[kp.verdict]
            mark = plain_label(sign)
            mark.setStyleSheet(f"color:{colour}; font-weight:600")
            mark.setToolTip(kp.verdict)
            self.points_grid.addWidget(mark, 2 * row, 0)
            title = plain_label(
                f"{kp.label} — {kp.verdict}" + ("" if kp.confident else " (unsure)"), wrap=True
            )
            self.points_grid.addWidget(title, 2 * row, 1)
            flip = QPushButton(FLIP_LABELS[kp.verdict])
            flip.setToolTip(f"This verdict is wrong (Ctrl+{row + 1})")
            flip.clicked.connect(lambda _=False, i=row: self.flip_requested.emit(i))
            self.points_grid.addWidget(flip, 2 * row, 2)
            self.flip_buttons.append(flip)
            detail = subtle(verdict_detail(kp, phrases))
            self.points_grid.addWidget(detail, 2 * row + 1, 1, 1, 2)

    def key_point_states(self) -> dict[str, bool]:
        return {kp.label: kp.met for kp in self.result.key_points} if self.result else {}

    def verdicts(self) -> list[str]:
        return [kp.verdict for kp in self.result.key_points] if self.result else []
