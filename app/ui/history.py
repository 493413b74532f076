"""One role-play's attempts, newest first: what was said, how it scored, and the
recording to listen to again."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.core import stats
from app.core.stats import AttemptRecord, CardHistory
from app.ui.backend import Backend
from app.ui.widgets import plain_label, plural, subtle

if TYPE_CHECKING:
    from app.speech.playback import Player

MET_COLOUR = "#3f9a5a"
MISSED_COLOUR = "#d9534f"


def attempt_line(a: AttemptRecord) -> str:
    pace = "typed" if a.wpm is None else f"{a.wpm:.0f} wpm"
    return f"{a.created_at.astimezone():%d %b %Y %H:%M}  ·  {a.coverage:.0%}  ·  {pace}"


def attempt_html(a: AttemptRecord) -> str:
    """The detail of one attempt: key points met and missed, delivery, transcript."""
    met = "".join(
        f"<div><b style='color:{MET_COLOUR}'>✓</b>&nbsp; {escape(k)}</div>" for k in a.met
    )
    missed = "".join(
        f"<div><b style='color:{MISSED_COLOUR}'>✗</b>&nbsp; {escape(k)}</div>" for k in a.missed
    )
    delivery = []
    if a.duration_s is not None:
        delivery.append(f"{a.duration_s:.0f} s")
    if a.wpm is not None:
        delivery.append(f"{a.wpm:.0f} words/min")
    if a.fillers_per_minute is not None:
        delivery.append(f"{a.fillers_per_minute:.1f} fillers/min")
    elif a.filler_count:
        delivery.append(plural(a.filler_count, "filler"))
    transcript = escape(a.transcript) or "<i>(nothing was recognised)</i>"
    return (
        f"<h3>Coverage {a.coverage:.0%} — {len(a.met)} of "
        f"{plural(len(a.met) + len(a.missed), 'key point')}</h3>"
        f"{met}{missed}"
        f"<p style='color:gray'>{' · '.join(delivery) or 'No timing (typed answer)'}</p>"
        f"<h4>What you said</h4><p>{transcript}</p>"
    )


class CardHistoryView(QWidget):
    """Pick an attempt on the left; read it and replay it on the right."""

    loaded = Signal(object)  # CardHistory, once the list shows it

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend
        self.history: CardHistory | None = None
        self._player: Player | None = None  # made on first replay

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.heading = plain_label(name="SectionTitle", wrap=True)
        layout.addWidget(self.heading)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        layout.addWidget(splitter, 1)

        self.list = QListWidget()
        self.list.setAccessibleName("Attempts")
        self.list.setStyleSheet("QListWidget::item { padding: 5px 4px; }")
        self.list.currentRowChanged.connect(self._show_attempt)
        splitter.addWidget(self.list)

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(8, 0, 0, 0)
        self.detail = QTextBrowser()
        self.detail.setOpenLinks(False)
        rl.addWidget(self.detail, 1)
        row = QHBoxLayout()
        self.play_button = QPushButton("▶ Play recording")
        self.play_button.setToolTip("Listen to this answer again")
        self.play_button.clicked.connect(self.toggle_playback)
        row.addWidget(self.play_button)
        self.audio_note = subtle()
        row.addWidget(self.audio_note, 1)
        rl.addLayout(row)
        splitter.addWidget(right)
        splitter.setSizes([320, 640])
        self._set_empty("Choose a role-play to see its attempts.")

    # -- loading ----------------------------------------------------------------------
    def show_card(self, card_id: int) -> None:
        data_dir = self.backend.data_dir
        self.backend.db(lambda s: stats.card_history(s, card_id, data_dir), self._loaded)

    def _loaded(self, history: CardHistory) -> None:
        self.stop()
        self.history = history
        who = f"{history.asked_by}: " if history.asked_by else ""
        self.heading.setText(f"{who}{history.question}")
        self.list.clear()
        for a in reversed(history.attempts):
            item = QListWidgetItem(attempt_line(a))
            item.setData(Qt.ItemDataRole.UserRole, a.id)
            self.list.addItem(item)
        if history.attempts:
            self.list.setCurrentRow(0)
        else:
            self._set_empty("No attempts at this role-play yet.")
        self.loaded.emit(history)

    def clear(self) -> None:
        self.stop()
        self.history = None
        self.heading.clear()
        self.list.clear()
        self._set_empty("No role-play attempts in this deck yet.")

    def _set_empty(self, text: str) -> None:
        self.detail.setHtml(f"<p style='color:gray'>{escape(text)}</p>")
        self.play_button.setEnabled(False)
        self.audio_note.clear()

    # -- one attempt --------------------------------------------------------------------
    def selected(self) -> AttemptRecord | None:
        if self.history is None or self.list.currentRow() < 0:
            return None
        return self.history.attempts[len(self.history.attempts) - 1 - self.list.currentRow()]

    def _show_attempt(self, _row: int) -> None:
        self.stop()
        attempt = self.selected()
        if attempt is None:
            return
        self.detail.setHtml(attempt_html(attempt))
        self.play_button.setEnabled(attempt.audio_path is not None)
        if attempt.audio_path is None:
            self.audio_note.setText("No recording kept for this attempt.")
        else:
            self.audio_note.setText(attempt.audio_path.name)

    # -- replay -------------------------------------------------------------------------
    @property
    def player(self) -> Player:
        if self._player is None:
            from app.speech.playback import Player

            self._player = Player(self)
            self._player.finished.connect(self._playback_ended)
            self._player.failed.connect(self._playback_failed)
        return self._player

    def toggle_playback(self) -> None:
        attempt = self.selected()
        if self._player is not None and self._player.is_playing():
            self.stop()
            return
        if attempt is None or attempt.audio_path is None:
            return
        self.play(attempt.audio_path)

    def play(self, path: Path) -> None:
        self.player.play(path)
        self.play_button.setText("■ Stop")

    def stop(self) -> None:
        if self._player is not None:
            self._player.stop()
        self.play_button.setText("▶ Play recording")

    def _playback_ended(self) -> None:
        self.play_button.setText("▶ Play recording")

    def _playback_failed(self, text: str) -> None:
        self.play_button.setText("▶ Play recording")
        self.audio_note.setText(text)
