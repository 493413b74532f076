"""Stakeholder rehearsal: a persona asks (aloud), the user answers by speaking or typing,
and the result panel shows what was covered, how it was said, and a suggested rating
that feeds the schedule.

The flow of a rehearsal (which stage, what a key may do) is ``RehearsalFlow``, which
knows nothing of Qt; this page renders its stage. All slow work is elsewhere: speech
rendering on the TTS thread, recognition on the recorder's worker and Whisper's decoder,
scoring and saving in one unit of work on the DB worker (``score_and_record``).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QElapsedTimer, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.clock import utcnow
from app.core.scheduling import RATING_NAMES
from app.core.views import CardView, count_queue
from app.model.errors import KnownError
from app.model.paths import tts_cache_dir
from app.rehearsal.session import Answer, RehearsalFlow, Stage
from app.ui import messages
from app.ui.backend import Backend
from app.ui.result_panel import MODEL_ANSWER, MY_RECORDING, ResultPanel
from app.ui.widgets import (
    Banner,
    EndPanel,
    LevelMeter,
    card_frame,
    describe_counts,
    plain_label,
    subtle,
    title,
)

if TYPE_CHECKING:
    from app.core.reviews import ReviewResult
    from app.core.store import Session
    from app.core.teaching import Lesson
    from app.speech.capture import Recorder
    from app.speech.engines import EngineChoice
    from app.speech.playback import Player
    from app.speech.recognizer import Transcript
    from app.speech.tts import Speaker

HANDS_FREE_DELAY_S = 8
QUESTION = "question"  # what the player plays while a question is asked
# What the keys do, Space above all, at each stage that shows the record button.
HINTS = {
    Stage.ASKING: "Space start recording · Q replay question · T type instead · Esc back",
    Stage.RECORDING: "Space stop and score the answer · Esc back (asks before discarding)",
}
# The stacked page that shows each stage of the flow.
ANSWER_PAGE, TYPING_PAGE, RESULT_PAGE, DONE_PAGE = range(4)
PAGE_OF_STAGE = {
    Stage.ASKING: ANSWER_PAGE,
    Stage.RECORDING: ANSWER_PAGE,
    Stage.TYPING: TYPING_PAGE,
    Stage.RESULT: RESULT_PAGE,
    Stage.RATING: RESULT_PAGE,
    Stage.DONE: DONE_PAGE,
}


def ask_discard_recording(parent: QWidget) -> bool:
    """Leaving mid-answer throws the answer away: ask first. The seam tests patch."""
    from PySide6.QtWidgets import QMessageBox

    answer = QMessageBox.question(
        parent,
        "Discard this answer?",
        "You are still recording. Leave the rehearsal and discard this answer?",
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Discard


class RehearsalPage(QWidget):
    finished = Signal()
    # For tests and the hands-free loop: the result panel has been filled.
    result_shown = Signal()
    question_shown = Signal()
    recording_started = Signal()

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.setObjectName("Page")
        self.backend = backend
        self.deck_name = ""
        self.flow = RehearsalFlow(on_change=self._render_stage)
        # Speech parts are imported and made on first use, so start-up never pays for them.
        self.engine_choice: EngineChoice | None = None  # chosen off the GUI thread
        self._recorder: Recorder | None = None
        self._warming: Future[None] | None = None
        self._warm_next: tuple[CardView, str] | None = None
        self._typed_settled = ""
        self._player: Player | None = None
        self._speaker: Speaker | None = None
        self._record_after_playback = False
        # What the player is playing, or rendering to play next: "question", or one of
        # the result's two sounds (result_panel.MODEL_ANSWER, MY_RECORDING); None: silence.
        self._sound: str | None = None
        # Corrections of verdicts in this rehearsal, newest last, for Ctrl+Z.
        self._lessons: list[tuple[Lesson, Answer]] = []
        self._elapsed = QElapsedTimer()
        self._clock = QTimer(self)
        self._clock.setInterval(200)
        self._clock.timeout.connect(self._tick)
        self._countdown_left = 0
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._count_down)
        self._build()
        self._shortcuts()
        # What the page last took from the settings, to tell what a change changed.
        self._hands_free_setting = backend.settings.hands_free
        self._engine_setting: tuple[str, dict[str, str]] | None = None
        self._all_prompts = False  # "practise more": every prompt, not the day's queue
        backend.settings_changed.connect(self._settings_changed)

    # -- layout ---------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 24, 40, 24)
        top = QHBoxLayout()
        self.heading = title("Rehearsal")
        self.heading.setWordWrap(True)  # a long deck name wraps instead of widening the window
        top.addWidget(self.heading, 1)
        self.progress_label = subtle(wrap=False)
        top.addWidget(self.progress_label)
        self.hands_free = QCheckBox("Hands-free")
        self.hands_free.setToolTip(
            "Speak the next question automatically after each result, then listen (F)"
        )
        self.hands_free.setChecked(self.backend.settings.hands_free)
        self.hands_free.toggled.connect(self._hands_free_toggled)
        top.addWidget(self.hands_free)
        back = QPushButton("Back to decks")
        back.setToolTip("Leave the rehearsal (Esc)")
        back.clicked.connect(self.leave)
        top.addWidget(back)
        layout.addLayout(top)
        self.banner = Banner()
        layout.addWidget(self.banner)

        body = QHBoxLayout()
        layout.addLayout(body, 1)
        persona = card_frame()
        persona.setMaximumWidth(340)
        pl = QVBoxLayout(persona)
        pl.setContentsMargins(20, 20, 20, 20)
        self.avatar = plain_label()
        self.avatar.setFixedSize(64, 64)
        self.avatar.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.avatar.setStyleSheet(
            "background:#2f7fc1;color:white;border-radius:32px;font-size:20pt;font-weight:600"
        )
        pl.addWidget(self.avatar)
        self.persona_name = plain_label(name="SectionTitle")
        pl.addWidget(self.persona_name)
        self.persona_role = subtle()
        pl.addWidget(self.persona_role)
        pl.addSpacing(8)
        pl.addWidget(subtle("Cares about"))
        self.persona_cares = plain_label(wrap=True)
        pl.addWidget(self.persona_cares)
        pl.addStretch(1)
        self.engine_label = subtle()
        pl.addWidget(self.engine_label)
        body.addWidget(persona, 1)  # a quarter of the width, up to 340 px

        right = QVBoxLayout()
        body.addLayout(right, 3)
        question_card = card_frame()
        ql = QVBoxLayout(question_card)
        ql.setContentsMargins(24, 18, 24, 18)
        self.question = plain_label(name="Question", wrap=True)
        self.question.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        ql.addWidget(self.question)
        qrow = QHBoxLayout()
        self.replay_question = QPushButton("Replay question")
        self.replay_question.setToolTip("Hear the question again (Q)")
        self.replay_question.clicked.connect(self.speak_question)
        qrow.addWidget(self.replay_question)
        qrow.addStretch(1)
        ql.addLayout(qrow)
        right.addWidget(question_card)

        self.stages = QStackedWidget()
        right.addWidget(self.stages, 1)
        self.stages.addWidget(self._build_answer_stage())
        self.stages.addWidget(self._build_typing_stage())
        self.result_panel = ResultPanel()
        self.result_panel.rating_chosen.connect(self.rate)
        self.result_panel.play_model_requested.connect(self.play_model_answer)
        self.result_panel.play_recording_requested.connect(self.play_recording)
        self.result_panel.flip_requested.connect(self.flip_verdict)
        self.stages.addWidget(self.result_panel)
        self.stages.addWidget(self._build_done_stage())

    def _build_answer_stage(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.record_button = QPushButton("● Record answer")
        self.record_button.setObjectName("Record")
        self.record_button.setToolTip("Start or stop recording your answer (Space)")
        self.record_button.clicked.connect(self.toggle_recording)
        row.addWidget(self.record_button)
        self.type_button = QPushButton("Type instead")
        self.type_button.setToolTip("Write your answer instead of speaking it (T)")
        self.type_button.clicked.connect(self.type_instead)
        row.addWidget(self.type_button)
        row.addStretch(1)
        layout.addLayout(row)
        meter_row = QHBoxLayout()
        self.level = LevelMeter()
        meter_row.addWidget(self.level, 1)
        self.elapsed_label = plain_label("0:00")
        meter_row.addWidget(self.elapsed_label)
        layout.addLayout(meter_row)
        self.partial = plain_label(name="AnswerText", wrap=True)
        self.partial.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.partial.setMinimumHeight(80)
        layout.addWidget(self.partial)
        self.answer_hint = subtle(HINTS[Stage.ASKING])
        self.answer_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.answer_hint)
        layout.addStretch(2)
        return page

    def _build_typing_stage(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(subtle("Type your answer as you would say it."))
        self.typed = QPlainTextEdit()
        self.typed.setPlaceholderText("Your answer…")
        self.typed.textChanged.connect(self._typed_changed)
        layout.addWidget(self.typed, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        back_to_mic = QPushButton("Speak instead")
        back_to_mic.clicked.connect(lambda: self.flow.go(Stage.ASKING))
        row.addWidget(back_to_mic)
        self.submit_typed = QPushButton("Score answer")
        self.submit_typed.setObjectName("Primary")
        self.submit_typed.setToolTip("Score the typed answer (Ctrl+Enter)")
        self.submit_typed.clicked.connect(self.submit_typed_answer)
        row.addWidget(self.submit_typed)
        layout.addLayout(row)
        return page

    def _build_done_stage(self) -> QWidget:
        self.practise_more = QPushButton("Practise all prompts anyway")
        self.practise_more.clicked.connect(lambda: self._load(include_not_due=True))
        home = QPushButton("Back to decks")
        home.setObjectName("Primary")
        home.clicked.connect(self.leave)
        panel = EndPanel("Rehearsal complete", [self.practise_more, home])
        self.done_title, self.done_text = panel.heading, panel.text
        return panel

    def _shortcuts(self) -> None:
        for key, handler in (
            ("Space", self._space),
            ("Q", self.speak_question),
            ("T", self.type_instead),
            ("Ctrl+Return", self.submit_typed_answer),
            ("M", self.play_model_answer),
            ("A", self.play_recording),
            ("Return", self.accept_suggested),
            ("Enter", self.accept_suggested),
            ("1", lambda: self.rate(1)),
            ("2", lambda: self.rate(2)),
            ("3", lambda: self.rate(3)),
            ("4", lambda: self.rate(4)),
            ("F", self.hands_free.toggle),
            ("Escape", self.leave),
            ("Ctrl+Z", self.undo_correction),
            *((f"Ctrl+{n}", lambda n=n: self.flip_verdict(n - 1)) for n in range(1, 10)),
        ):
            shortcut = QShortcut(QKeySequence(key), self)
            # Window-wide while this page is shown (hidden pages never match), so focus on
            # any control of the page keeps the keys working.
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(handler)

    # -- speech parts ------------------------------------------------------------------
    def _get_player(self) -> Player:
        if self._player is None:
            from app.speech.playback import Player

            self._player = Player(self)
            self._player.failed.connect(self._playback_failed)
            self._player.finished.connect(self._playback_finished)
        return self._player

    def _get_speaker(self) -> Speaker:
        from app.speech.tts import Speaker

        s = self.backend.settings
        if self._speaker is None:
            self._speaker = Speaker(tts_cache_dir(self.backend.data_dir), s.tts_voice, s.tts_rate)
        self._speaker.voice, self._speaker.rate = s.tts_voice, s.tts_rate
        return self._speaker

    def _get_recorder(self) -> Recorder:
        if self._recorder is None:
            from app.speech.capture import Recorder

            self._recorder = Recorder(self.backend.data_dir, self, self.backend.audio_source)
            self._recorder.level.connect(self.level.set_level)
            self._recorder.partial.connect(self._show_partial)
            self._recorder.settled.connect(self._answer_settled)
            self._recorder.finished.connect(self._recognised)
            self._recorder.failed.connect(self._recording_failed)
            self._recorder.speech_ended.connect(self._speech_ended)
        return self._recorder

    def _choose_engine(self) -> None:
        data_dir = self.backend.data_dir
        s = self.backend.settings
        self._engine_setting = (s.engine, s.engine_models())

        def choose() -> EngineChoice:
            from app.speech.engines import choose_engine

            choice = choose_engine(data_dir, s.engine, models=s.engine_models(), gui=True)
            choice.preload()
            return choice

        def chosen(choice: EngineChoice) -> None:
            self.engine_choice = choice
            first = choice.message.split(". ")[0].rstrip(".") + "."
            self.engine_label.setText(first)
            self.engine_label.setToolTip(choice.message)
            messages.info(first)

        def failed(exc: BaseException) -> None:
            self.engine_choice = None
            self.engine_label.setText("No speech engine: type your answers.")
            self.banner.show_message(f"{exc} You can type your answers instead.", "error")

        self.backend.tasks.background(choose, on_success=chosen, on_failure=failed)

    # -- properties tests and the main window read ---------------------------------------
    @property
    def current(self) -> CardView | None:
        return self.flow.current

    @property
    def answer(self) -> Answer | None:
        return self.flow.answer

    @property
    def done(self) -> int:
        return self.flow.done

    # -- session ---------------------------------------------------------------------
    def start(self, deck_name: str) -> None:
        self.deck_name = deck_name
        self.heading.setText(deck_name)
        self.flow.done = 0
        self.banner.hide()
        self._choose_engine()
        self._load(include_not_due=False)

    def _load(self, include_not_due: bool) -> None:
        self._all_prompts = include_not_due
        self._ask_for_queue(include_not_due, self.flow.load)

    def _ask_for_queue(self, include_not_due: bool, then: Callable[[list[CardView]], None]) -> None:
        deck_name = self.deck_name
        limits = self.backend.settings.limits("roleplay")

        def load(s: Session) -> list[CardView]:
            from app.core import services

            deck = services.find_deck(s, deck_name)
            if include_not_due:
                return services.list_cards(s, deck_name, "roleplay")
            ids = services.due_queue(
                s, deck.id, utcnow(), limits.new, kind="roleplay", reviews_per_day=limits.reviews
            )
            return services.get_cards(s, ids)

        self.backend.db(load, then)

    def _settings_changed(self) -> None:
        """Settings changed during a rehearsal: the hands-free box follows its setting,
        another engine or model is loaded, and new daily limits re-ask the queue."""
        s = self.backend.settings
        if s.hands_free != self._hands_free_setting:
            self._hands_free_setting = s.hands_free
            self.hands_free.setChecked(s.hands_free)
        if self.current is None or not self.isVisible():
            return  # start() reads them all afresh
        if self._engine_setting != (s.engine, s.engine_models()):
            self._choose_engine()  # a recording under way keeps the recogniser it has
        if not self._all_prompts:

            def requeued(cards: list[CardView]) -> None:
                self.flow.requeue(cards)
                self._show_counts()

            self._ask_for_queue(False, requeued)

    def _render_stage(self, stage: Stage) -> None:
        """Shows what the flow's stage needs; the one place stages become widgets."""
        if stage == Stage.SCORING:
            return  # stays on the page it was scored from, with "Scoring…" on it
        if stage in (Stage.ASKING, Stage.DONE):
            self._stop_countdown()
        self._show_counts()
        self.answer_hint.setText(HINTS.get(stage, ""))
        self.stages.setCurrentIndex(PAGE_OF_STAGE[stage])
        if stage == Stage.ASKING and self.flow.answer is None and self._fresh_question():
            self._show_question()
        elif stage == Stage.TYPING:
            self.typed.setFocus()
        elif stage == Stage.DONE:
            self._show_done()

    def _show_counts(self) -> None:
        # The prompt on screen counts until it is rated, as in Anki.
        left = [self.flow.current, *self.flow.queue] if self.flow.current else []
        self.progress_label.setText(describe_counts(count_queue(left)))

    def _fresh_question(self) -> bool:
        shown = self.current is not None and self.current is not getattr(self, "_shown", None)
        self._shown = self.current
        return shown

    def _show_done(self) -> None:
        done = self.flow.done
        self.done_title.setText("Rehearsal complete" if done else "No prompts due right now")
        self.done_text.setText(
            f"You answered {done} prompt{'s' if done != 1 else ''}."
            if done
            else "Every role-play in this deck is scheduled for later."
        )
        self.practise_more.setFocus()

    def _show_question(self) -> None:
        card = self.current
        assert card is not None
        # Compile the key points while the user listens and answers, so scoring after
        # "stop" only matches (bench/bench_scoring.py).
        self._warm_up_scoring(card)
        persona = card.persona_info
        name = persona.name if persona and persona.name else card.persona.title()
        self.avatar.setText("".join(part[0] for part in name.split()[:2]).upper())
        self.persona_name.setText(name)
        self.persona_role.setText(persona.role if persona else card.persona)
        self.persona_cares.setText(persona.cares_about if persona else "")
        self.question.setText(f"“{card.question}”")
        self.partial.setText("")
        self.level.set_level(0)
        self.elapsed_label.setText("0:00")
        self._typed_settled = ""
        self.typed.clear()
        self.record_button.setFocus()
        self.question_shown.emit()
        if self.backend.settings.speak_questions or self.hands_free.isChecked():
            self.speak_question()

    # -- speaking the question and answers ---------------------------------------------
    def speak_question(self) -> None:
        if self.current is None or self.flow.stage != Stage.ASKING:
            return
        persona = self.current.persona_info
        voice = persona.voice if persona and persona.voice else None
        self._speak(self.current.question, voice, QUESTION, then_record=self.hands_free.isChecked())

    def play_model_answer(self) -> None:
        """M: hear the model answer, or stop it when it is playing."""
        if self.current is None or self.flow.stage != Stage.RESULT:
            return
        if self._sound == MODEL_ANSWER:
            self.stop_playback()
        else:
            self._speak(self.current.model_answer, None, MODEL_ANSWER, then_record=False)

    def _speak(self, text: str, voice: str | None, sound: str, then_record: bool) -> None:
        self._record_after_playback = then_record
        try:
            future = self._get_speaker().render(text, voice)
        except KnownError as err:
            self.banner.show_message(str(err), "error")
            return
        self._now_playing(sound)  # at once: rendering a long answer takes a moment

        def rendered(path: Path) -> None:
            if self._sound == sound:  # not stopped, nor replaced, while it rendered
                self._get_player().play(path)

        def failed(exc: BaseException) -> None:
            if self._sound == sound:
                self._now_playing(None)
            self.banner.show_message(
                f"Could not speak the text: {exc}. You can read it on screen.", "error"
            )

        self.backend.tasks.watch(future, rendered, failed)

    def play_recording(self) -> None:
        """A: hear your own answer, or stop it when it is playing."""
        if self._sound == MY_RECORDING:
            self.stop_playback()
        elif self.answer is not None and self.answer.wav_path:
            self._record_after_playback = False
            self._now_playing(MY_RECORDING)
            self._get_player().play(self.answer.wav_path)

    def stop_playback(self) -> None:
        self._record_after_playback = False
        if self._player is not None:
            self._player.stop()
        self._now_playing(None)

    def _now_playing(self, sound: str | None) -> None:
        self._sound = sound
        self.result_panel.show_playing(sound)

    def _playback_failed(self, text: str) -> None:
        self._now_playing(None)
        self.banner.show_message(text, "error")

    def _playback_finished(self) -> None:
        self._now_playing(None)
        if self._record_after_playback and self.flow.stage == Stage.ASKING:
            self._record_after_playback = False
            self.start_recording()

    # -- recording ---------------------------------------------------------------------
    def _recording(self) -> bool:
        return self._recorder is not None and self._recorder.recording

    def _space(self) -> None:
        if self.flow.stage in (Stage.ASKING, Stage.RECORDING):
            self.toggle_recording()
        elif self.flow.stage == Stage.DONE:
            self.leave()

    def toggle_recording(self) -> None:
        if self._recording():
            self.stop_recording()
        else:
            self.start_recording()

    def start_recording(self) -> None:
        if not self.flow.can(Stage.RECORDING) or self.flow.stage != Stage.ASKING:
            return
        if self.engine_choice is None:
            self.banner.show_message(
                "The speech engine is still loading (or unavailable). Try again in a moment, "
                "or type your answer (T).",
                "error",
            )
            return
        self.stop_playback()
        from app.rehearsal.session import card_hints

        assert self.current is not None
        hands_free = self.hands_free.isChecked()
        try:
            self._get_recorder().start(
                self.engine_choice.recognizer(card_hints(self.current)),
                self.backend.settings.input_device,
                self.backend.settings.end_silence_s if hands_free else None,
            )
        except KnownError as err:
            self.banner.show_message(f"{err} Type your answer instead.", "error")
            self.type_instead()
            return
        self.flow.go(Stage.RECORDING)
        self.record_button.setText("■ Stop")
        self.record_button.setProperty("recording", True)
        self._repolish(self.record_button)
        self.partial.setText("Listening…")
        self._elapsed.start()
        self._clock.start()
        self.recording_started.emit()

    def stop_recording(self) -> None:
        if not self._recording() or not self.flow.go(Stage.SCORING):
            return
        self._clock.stop()
        self.record_button.setEnabled(False)
        self.partial.setText("Scoring your answer…")
        self._get_recorder().stop()

    def _speech_ended(self) -> None:
        # Hands-free: the speaker has been silent for a while after speaking.
        if self.hands_free.isChecked() and self.flow.stage == Stage.RECORDING:
            self.stop_recording()

    def _reset_record_button(self) -> None:
        self.record_button.setEnabled(True)
        self.record_button.setText("● Record answer")
        self.record_button.setProperty("recording", False)
        self._repolish(self.record_button)

    @staticmethod
    def _repolish(widget: QWidget) -> None:
        widget.style().unpolish(widget)
        widget.style().polish(widget)

    def _tick(self) -> None:
        seconds = self._elapsed.elapsed() // 1000
        self.elapsed_label.setText(f"{seconds // 60}:{seconds % 60:02d}")

    def _show_partial(self, text: str) -> None:
        if text and self.flow.stage == Stage.RECORDING:
            self.partial.setText(text)

    def _answer_settled(self, text: str) -> None:
        if self.flow.stage == Stage.RECORDING and self.current is not None:
            self._warm_up_scoring(self.current, text)

    def _warm_up_scoring(self, card: CardView, settled: str = "") -> None:
        """Scores ahead what is already known (``session.warm_up``), one run at a time:
        text that settles meanwhile waits, and only the latest is scored next."""
        if self._warming is not None and not self._warming.done():
            self._warm_next = (card, settled)
            return
        self._warm_next = None
        from app.rehearsal.session import warm_up

        def done(_: object) -> None:
            waiting = self._warm_next
            if waiting is not None and waiting[0] is self.current:
                self._warm_up_scoring(*waiting)

        # A failure here is the real scoring's to report, with its context.
        self._warming = self.backend.tasks.background(
            lambda: warm_up(card, settled), on_success=done, on_failure=lambda _exc: None
        )

    def _recording_failed(self, message: str) -> None:
        self._clock.stop()
        self._reset_record_button()
        self.flow.go(Stage.ASKING)
        self.banner.show_message(f"{message} You can type your answer instead (T).", "error")

    def _recognised(self, transcript: Transcript, wav_path: str) -> None:
        self._reset_record_button()
        if self.flow.stage != Stage.SCORING:
            return  # left, or moved on, while the last words were decoded
        if transcript.heard_nothing:
            self.flow.go(Stage.ASKING)
            self.partial.setText("")
            self.banner.show_message(
                "Nothing was heard. Check the microphone level, then press Space to try "
                "again, or T to type.",
                "info",
                timeout_ms=8000,
            )
            return
        self._score(transcript=transcript, wav_path=wav_path)

    # -- typed answers -----------------------------------------------------------------
    def type_instead(self) -> None:
        if self.flow.stage == Stage.ASKING:
            self.flow.go(Stage.TYPING)

    def _typed_changed(self) -> None:
        """Each sentence the user finishes typing is scored ahead, as settled speech is,
        so that "Score answer" only has the last sentence left to compare."""
        from app.rehearsal.session import settled_part

        if self.flow.stage != Stage.TYPING or self.current is None:
            return
        settled = settled_part(self.typed.toPlainText())
        if settled and settled != self._typed_settled:
            self._typed_settled = settled
            self._warm_up_scoring(self.current, settled)

    def submit_typed_answer(self) -> None:
        if self.flow.stage != Stage.TYPING:
            return
        text = self.typed.toPlainText().strip()
        if not text:
            self.banner.show_message("Type an answer first.", "info", timeout_ms=4000)
            return
        self.flow.go(Stage.SCORING)
        self._score(text=text)

    # -- scoring and storing -----------------------------------------------------------
    def _score(
        self,
        transcript: Transcript | None = None,
        text: str | None = None,
        wav_path: str | None = None,
    ) -> None:
        card = self.current
        assert card is not None
        typed = transcript is None

        def score(s: Session) -> Answer:
            from app.rehearsal.session import score_and_record

            return score_and_record(s, card, transcript, text, wav_path or None)

        def failed(exc: BaseException) -> None:
            self.flow.go(Stage.TYPING if typed else Stage.ASKING)
            if isinstance(exc, KnownError):
                self.banner.show_message(str(exc), "error")
                return
            from app.ui.tasks import report_failure

            report_failure(exc)

        self.backend.db(score, self._show_result, changes=True, on_failure=failed)

    def _show_result(self, answer: Answer) -> None:
        if not self.flow.show(answer):
            return
        self._render_result(answer)
        self.result_panel.rating_buttons[answer.result.suggested_rating].setFocus()
        self.result_shown.emit()
        if self.hands_free.isChecked():
            if answer.result.confident:
                self._start_countdown()
            else:
                self.result_panel.countdown.setText(
                    "Hands-free is waiting: some verdicts are unsure. Check them, then "
                    "press Enter or 1–4."
                )

    def _render_result(self, answer: Answer) -> None:
        self.result_panel.show_result(
            answer.result,
            answer.card.model_answer,
            bool(answer.wav_path),
            answer.engine,
            [kp.texts() for kp in answer.card.key_points],
        )

    # -- correcting a verdict ----------------------------------------------------------
    def flip_verdict(self, index: int) -> None:
        """The user says key point ``index`` was judged wrong: the phrase they used
        becomes an alternative of it (or a rejected phrase), and the answer is scored
        again. Ctrl+Z undoes it."""
        answer = self.answer
        if answer is None or self.flow.stage != Stage.RESULT:
            return
        if not 0 <= index < len(answer.result.key_points):
            return
        kp = answer.result.key_points[index]
        counts = kp.verdict in ("missed", "contradicted")
        said = kp.evidence if kp.verdict != "missed" else kp.closest
        if said is None:
            self.banner.show_message(
                "Nothing in the answer came near this point, so there is no phrase to learn.",
                "info",
                timeout_ms=6000,
            )
            return
        self._stop_countdown()
        card_id, phrase, attempt_id = answer.card.id, said.text, answer.attempt_id

        def write(s: Session) -> tuple[Lesson, CardView]:
            from app.core import teaching

            lesson = teaching.teach(s, card_id, index, phrase, counts)
            return lesson, teaching.current_card(s, card_id)

        def written(done: tuple[Lesson, CardView]) -> None:
            lesson, card = done
            self._lessons.append((lesson, answer))
            verb = "now counts for" if counts else "no longer counts for"
            messages.info(f"“{phrase}” {verb} “{kp.label}”. Ctrl+Z to undo.")
            self._rescored(card, attempt_id)

        self.backend.db(write, written, changes=True)

    def undo_correction(self) -> None:
        if not self._lessons or self.flow.stage != Stage.RESULT:
            return
        lesson, before = self._lessons.pop()
        if self.answer is None or before.card.id != self.answer.card.id:
            return

        def write(s: Session) -> CardView:
            from app.core import teaching

            teaching.undo(s, lesson)
            return teaching.current_card(s, lesson.card_id)

        self.backend.db(write, lambda card: self._rescored(card, before.attempt_id), changes=True)
        messages.info("Correction undone.")

    def _rescored(self, card: CardView, attempt_id: int | None) -> None:
        answer = self.answer
        if answer is None or answer.card.id != card.id:
            return
        from app.rehearsal.session import attempt_data, rescore

        def score() -> Answer:
            return rescore(answer, card)

        def scored(new: Answer) -> None:
            if self.answer is not answer:
                return
            self.flow.answer = new
            self._render_result(new)
            self.result_shown.emit()
            if attempt_id is not None:
                data = attempt_data(new)

                def store(s: Session) -> None:
                    from app.core import teaching

                    teaching.rewrite_attempt(
                        s, attempt_id, data.coverage, data.result, new.result.suggested_rating
                    )

                self.backend.db(store, changes=True)

        self.backend.tasks.background(score, on_success=scored)

    # -- rating ------------------------------------------------------------------------
    def accept_suggested(self) -> None:
        if self.answer is not None and self.flow.stage == Stage.RESULT:
            self.rate(self.answer.result.suggested_rating)

    def rate(self, rating: int) -> None:
        answer = self.answer
        if answer is None or not self.flow.go(Stage.RATING):
            return
        self._stop_countdown()
        attempt_id = answer.attempt_id

        def write(s: Session) -> ReviewResult:
            from app.core import services

            if attempt_id is not None:
                services.set_attempt_rating(s, attempt_id, rating)
            return services.review_card(s, answer.card.id, rating, utcnow(), attempt_id=attempt_id)

        def written(_result: object) -> None:
            messages.info(f"Rated {RATING_NAMES[rating]}.")
            self.flow.rated()

        def failed(exc: BaseException) -> None:
            self.flow.go(Stage.RESULT)
            from app.ui.tasks import report_failure

            report_failure(exc)

        self.backend.db(write, written, changes=True, on_failure=failed)

    def _start_countdown(self) -> None:
        self._countdown_left = HANDS_FREE_DELAY_S
        self._count_down()
        self._countdown.start()

    def _count_down(self) -> None:
        if self._countdown_left <= 0:
            self._stop_countdown()
            self.accept_suggested()
            return
        name = RATING_NAMES[self.answer.result.suggested_rating] if self.answer else ""
        self.result_panel.countdown.setText(
            f"Hands-free: accepting {name} and asking the next question in "
            f"{self._countdown_left} s — press 1–4 to choose, F to pause."
        )
        self._countdown_left -= 1

    def _hands_free_toggled(self, on: bool) -> None:
        if not on:
            self._stop_countdown()
        elif self.flow.stage == Stage.RESULT and not self._countdown.isActive():
            self._start_countdown()

    def _stop_countdown(self) -> None:
        self._countdown.stop()
        self.result_panel.countdown.setText("")

    def leave(self) -> None:
        if self._recording() and not ask_discard_recording(self):
            return  # keep recording: Esc was pressed by mistake
        self._stop_countdown()
        if self._recording():
            self._get_recorder().stop()
        self.stop_playback()
        self.flow.go(Stage.DONE)
        self.finished.emit()
