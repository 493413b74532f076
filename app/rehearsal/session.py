"""One rehearsal: which stage it is in, what may happen next, and scoring plus saving.

The page that shows a rehearsal renders ``RehearsalFlow.stage``; the flow decides what
a key press may do in that stage, so tests can drive a whole rehearsal without Qt, and
the widget never keeps stage numbers of its own.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy.orm import Session

from app.core.attempts import AttemptData, record_attempt
from app.core.views import CardView
from app.model.errors import KnownError
from app.scoring import ScoreResult, TimedWord, prepare, score_answer, suggest_rating
from app.speech.recognizer import Hints, Transcript

TYPED = "typed"  # the engine label of an answer that was written, not spoken


class Stage(enum.Enum):
    ASKING = "asking"  # the question is shown (and maybe spoken); ready to record
    RECORDING = "recording"
    TYPING = "typing"
    SCORING = "scoring"  # recognised or typed; being scored and saved
    RESULT = "result"  # the verdict is shown; waiting for a rating
    RATING = "rating"  # the rating is being written
    DONE = "done"  # nothing left in the queue


# What each stage may turn into. Anything else is a key pressed at the wrong moment and
# is ignored (returns False), never an error.
TRANSITIONS: dict[Stage, frozenset[Stage]] = {
    Stage.ASKING: frozenset({Stage.RECORDING, Stage.TYPING, Stage.DONE}),
    Stage.RECORDING: frozenset({Stage.SCORING, Stage.ASKING, Stage.TYPING, Stage.DONE}),
    Stage.TYPING: frozenset({Stage.SCORING, Stage.ASKING, Stage.DONE}),
    Stage.SCORING: frozenset({Stage.RESULT, Stage.ASKING, Stage.TYPING, Stage.DONE}),
    Stage.RESULT: frozenset({Stage.RATING, Stage.RESULT, Stage.DONE}),
    Stage.RATING: frozenset({Stage.ASKING, Stage.DONE, Stage.RESULT}),
    Stage.DONE: frozenset({Stage.ASKING}),
}


@dataclass
class Answer:
    """One answer as it moves from capture to storage."""

    card: CardView
    result: ScoreResult
    engine: str
    wav_path: str | None
    duration_s: float | None = None
    attempt_id: int | None = None


@dataclass
class RehearsalFlow:
    """The queue of prompts and the stage of the current one."""

    queue: list[CardView] = field(default_factory=list)
    current: CardView | None = None
    answer: Answer | None = None
    stage: Stage = Stage.DONE
    done: int = 0
    on_change: Callable[[Stage], None] | None = None

    def load(self, cards: Sequence[CardView]) -> None:
        self.queue = list(cards)
        self.next()

    def requeue(self, cards: Sequence[CardView]) -> None:
        """The prompts after the current one, asked for again (the daily limits changed);
        the current one stays where it is."""
        current = self.current
        self.queue = [c for c in cards if current is None or c.id != current.id]

    def next(self) -> CardView | None:
        """Moves to the next prompt (or to DONE) and returns it."""
        self.answer = None
        if not self.queue:
            self.current = None
            self._set(Stage.DONE)
            return None
        self.current = self.queue.pop(0)
        self._set(Stage.ASKING)
        return self.current

    def can(self, stage: Stage) -> bool:
        return stage in TRANSITIONS[self.stage] and (
            stage == Stage.DONE or self.current is not None
        )

    def go(self, stage: Stage) -> bool:
        """Moves to ``stage`` when the current stage allows it."""
        if not self.can(stage):
            return False
        self._set(stage)
        return True

    def show(self, answer: Answer) -> bool:
        if self.stage != Stage.SCORING or answer.card is not self.current:
            return False  # the user moved on while it was being scored
        self.answer = answer
        self._set(Stage.RESULT)
        return True

    def rated(self) -> CardView | None:
        self.done += 1
        return self.next()

    def _set(self, stage: Stage) -> None:
        self.stage = stage
        if self.on_change is not None:
            self.on_change(stage)


def card_hints(card: CardView) -> Hints:
    """Words the answer to ``card`` is likely to contain: the deck's glossary terms,
    then its key points' labels and alternatives."""
    vocabulary = list(card.glossary.terms)
    vocabulary += [kp.label for kp in card.key_points]
    vocabulary += [alt for kp in card.key_points for alt in kp.alternatives]
    return Hints(tuple(dict.fromkeys(vocabulary)))


def score(
    card: CardView,
    text: str,
    words: Sequence[TimedWord] | None = None,
    duration_s: float | None = None,
) -> ScoreResult:
    return score_answer(
        text,
        card.key_points,
        words=words,
        duration_s=duration_s,
        glossary=card.glossary,
        context=card.model_answer,
    )


def warm_up(card: CardView, settled_text: str = "") -> None:
    """Does ahead, off the GUI thread, what scoring after stop would otherwise do then:
    compiles the card's key points (the first time, loading the sentence model) and,
    given the part of the answer the recogniser has settled while the user speaks,
    scores it once, which leaves the embeddings of its pieces in the encoder's cache. At
    stop only the pieces that take in the last words are new (a 60 s answer: 390 ms of
    scoring becomes 90 ms, bench/bench_latency.py)."""
    if settled_text.strip():
        score(card, settled_text)
    else:
        prepare(card.key_points, card.glossary, context=card.model_answer)


# Where a typed sentence is finished: its end mark, then space or the end of a line.
_SENTENCE_DONE = re.compile(r"[.!?;](?=\s)|\n")


def settled_part(typed: str) -> str:
    """The finished sentences of an answer being typed: up to its last sentence end
    followed by a space or a new line. The sentence still being written is left out,
    since its pieces change with every key."""
    ends = [m.end() for m in _SENTENCE_DONE.finditer(typed)]
    return typed[: ends[-1]].strip() if ends else ""


def score_transcript(card: CardView, transcript: Transcript, wav_path: str | None) -> Answer:
    result = score(card, transcript.text, transcript.words, transcript.duration_s)
    return Answer(card, result, transcript.engine, wav_path, transcript.duration_s)


def score_typed(card: CardView, text: str) -> Answer:
    return Answer(card, score(card, text), TYPED, None)


def attempt_data(answer: Answer) -> AttemptData:
    """What the store keeps of an answer; the one place UI and CLI build it."""
    result = answer.result
    return AttemptData(
        transcript=result.transcript,
        coverage=result.coverage,
        result=result.to_json(),
        engine=answer.engine,
        duration_s=answer.duration_s,
        audio_path=answer.wav_path,
        suggested_rating=result.suggested_rating,
    )


def score_and_record(
    session: Session,
    card: CardView,
    transcript: Transcript | None = None,
    text: str | None = None,
    wav_path: str | None = None,
    save: bool = True,
) -> Answer:
    """Scores a recognised (``transcript``) or typed (``text``) answer and, with ``save``,
    records it as an attempt in the same unit of work. An answer with nothing in it is
    refused: it says nothing about what the user knows."""
    if transcript is not None:
        if transcript.heard_nothing:
            raise NothingHeardError("No speech was heard in that recording.")
        answer = score_transcript(card, transcript, wav_path)
    else:
        if not (text or "").strip():
            raise NothingHeardError("The answer is empty.")
        answer = score_typed(card, text or "")
    if save:
        answer.attempt_id = record_attempt(session, card.id, attempt_data(answer))
    return answer


def rescore(answer: Answer, card: CardView) -> Answer:
    """The same answer scored again against ``card`` as it is now (after the user taught
    a key point a phrase, or took one back)."""
    old = answer.result
    result = score(card, old.transcript)
    # Pace, fillers and pauses came from the recording's timing, which has not changed.
    result = replace(
        result,
        delivery=old.delivery,
        suggested_rating=suggest_rating(result.coverage, old.delivery),
    )
    return replace(answer, card=card, result=result)


class NothingHeardError(KnownError):
    """An empty answer: told to the user, never saved."""
