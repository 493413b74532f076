"""A rehearsal driven the way the page drives it, without Qt: the flow says which stage
it is in, ignores keys pressed at the wrong moment, and keeps its place when the daily
limits change under it."""

from __future__ import annotations

from app.core import services
from app.core.store import Store
from app.core.views import CardView
from app.rehearsal.session import Answer, RehearsalFlow, Stage, score_typed, settled_part

DECK = "RAG vs Fine-Tuning"


def prompts(store: Store) -> list[CardView]:
    with store.session() as s:
        return services.list_cards(s, DECK, "roleplay")


def test_a_typed_answer_goes_from_asking_to_a_result_then_to_the_next_prompt(
    store: Store,
) -> None:
    cards = prompts(store)[:2]
    seen: list[Stage] = []
    flow = RehearsalFlow(on_change=seen.append)
    flow.load(cards)
    assert (flow.stage, flow.current) == (Stage.ASKING, cards[0])

    assert flow.go(Stage.TYPING) and flow.go(Stage.SCORING)
    assert flow.show(score_typed(cards[0], cards[0].model_answer))
    assert flow.answer is not None and flow.answer.result.coverage > 0.5
    assert flow.go(Stage.RATING)
    assert flow.rated() is cards[1]
    assert flow.stage == Stage.ASKING and flow.done == 1
    assert flow.answer is None  # the next prompt starts clean
    assert seen == [
        Stage.ASKING,
        Stage.TYPING,
        Stage.SCORING,
        Stage.RESULT,
        Stage.RATING,
        Stage.ASKING,
    ]


def test_keys_at_the_wrong_moment_change_nothing(store: Store) -> None:
    flow = RehearsalFlow()
    flow.load(prompts(store)[:1])
    assert not flow.go(Stage.RESULT)  # nothing was scored
    assert not flow.go(Stage.RATING)
    assert flow.stage == Stage.ASKING


def test_a_result_for_a_prompt_the_user_left_is_not_shown(store: Store) -> None:
    first, second = prompts(store)[:2]
    flow = RehearsalFlow()
    flow.load([first, second])
    flow.go(Stage.RECORDING)
    flow.go(Stage.SCORING)
    late: Answer = score_typed(second, "something")  # another card's answer arrives
    assert not flow.show(late)
    assert flow.stage == Stage.SCORING and flow.answer is None


def test_new_daily_limits_requeue_what_follows_and_keep_the_prompt_on_screen(
    store: Store,
) -> None:
    cards = prompts(store)
    flow = RehearsalFlow()
    flow.load(cards)
    flow.go(Stage.RECORDING)
    flow.requeue(cards[:3])  # the limit dropped to three, the first one among them
    assert flow.current is cards[0] and flow.stage == Stage.RECORDING
    assert flow.queue == cards[1:3]


def test_the_last_prompt_rated_ends_the_rehearsal(store: Store) -> None:
    card = prompts(store)[0]
    flow = RehearsalFlow()
    flow.load([card])
    flow.go(Stage.TYPING)
    flow.go(Stage.SCORING)
    flow.show(score_typed(card, card.model_answer))
    flow.go(Stage.RATING)
    assert flow.rated() is None
    assert (flow.stage, flow.current, flow.done) == (Stage.DONE, None, 1)


def test_only_the_sentences_a_user_has_finished_typing_are_settled() -> None:
    assert settled_part("") == ""
    assert settled_part("We would look it up") == ""  # still typing the first sentence
    assert settled_part("We would look it up. And") == "We would look it up."
    assert settled_part("Version 2.5 is out") == ""  # a decimal point ends nothing
    assert settled_part("Look it up? Yes! Then train") == "Look it up? Yes!"
    assert settled_part("First line\nsecond") == "First line"
