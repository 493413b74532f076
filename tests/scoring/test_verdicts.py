"""Each key point gets a verdict a user can trust: met when said in other words,
contradicted when turned around, missed when absent, and never again for a phrase the
user rejected. The answers here are written for these tests, not taken from a deck."""

from __future__ import annotations

from app.model.deckdata import Glossary, KeyPoint
from app.scoring import score_answer

OPTIONS = Glossary(
    options=[
        ["retrieval", "RAG", "look up", "search"],
        ["fine-tuning", "fine-tuned", "training", "train", "retrain", "retraining"],
    ]
)
CHANGES = KeyPoint("Only fine-tuning changes the model", ["changes the model"])


def verdict(answer: str, point: KeyPoint, glossary: Glossary = OPTIONS) -> str:
    return score_answer(answer, [point], glossary=glossary).key_points[0].verdict


def test_a_point_made_in_the_speakers_own_words_is_met_by_meaning() -> None:
    point = KeyPoint("cached data can be stale", ["cached data can be stale"])
    result = score_answer(
        "The copy we keep in memory might be an hour behind what the database says.", [point]
    ).key_points[0]
    assert result.verdict in ("met", "partly")
    assert result.method == "meaning" and result.evidence is not None


def test_the_same_words_about_the_other_option_contradict_the_point() -> None:
    said = "Honestly, retrieval rewrites the model every night."
    result = score_answer(said, [CHANGES], glossary=OPTIONS).key_points[0]
    assert result.verdict == "contradicted"
    assert result.reason == "says it of the other option"
    assert result.evidence is not None and "retrieval" in result.evidence.text


def test_saying_the_opposite_of_the_point_contradicts_it() -> None:
    assert verdict("With fine-tuning the model is left completely untouched.", CHANGES) == (
        "contradicted"
    )


def test_the_other_option_said_the_other_way_round_agrees() -> None:
    said = "Retrieval leaves the model exactly as it was shipped."
    assert verdict(said, CHANGES) in ("met", "partly")


def test_a_different_number_contradicts() -> None:
    point = KeyPoint("Five times faster", ["five times faster"])
    assert verdict("In our test the small model ran two times faster.", point) == "contradicted"


def test_an_answer_about_something_else_meets_nothing() -> None:
    result = score_answer(
        "Our offsite is in March and we still need to book the train tickets.", [CHANGES]
    )
    assert result.key_points[0].verdict == "missed"
    assert result.coverage == 0.0


def test_a_phrase_the_user_rejected_no_longer_counts_for_that_point() -> None:
    said = "When the same product is asked for again, it comes straight from the cache."
    point = KeyPoint("cache serves repeated reads", ["cache serves repeated reads"])
    before = score_answer(said, [point]).key_points[0]
    assert before.verdict in ("met", "partly") and before.evidence is not None

    point.rejected.append(before.evidence.text)
    after = score_answer(said, [point]).key_points[0]

    assert after.verdict == "missed"


def test_a_missed_point_shows_the_nearest_thing_that_was_said() -> None:
    point = KeyPoint("Hundreds to thousands of examples", ["thousands of examples"])
    result = score_answer(
        "We would start small. The tone matters most to the client.", [point]
    ).key_points[0]
    assert result.verdict == "missed"
    assert result.closest is not None and result.closest.text


def test_partly_made_points_count_half() -> None:
    points = [
        KeyPoint("queue absorbs traffic spikes", ["queue absorbs traffic spikes"]),
        KeyPoint("another system to operate", ["another system to operate"]),
    ]
    result = score_answer("the queue absorbs traffic spikes", points)
    assert result.key_points[0].verdict == "met" and result.key_points[0].method == "phrase"
    credit = {"met": 1.0, "partly": 0.5}
    expected = sum(credit.get(k.verdict, 0.0) for k in result.key_points) / 2
    assert result.coverage == expected


NO_RETRAINING = KeyPoint("Update documents, no retraining", ["no retraining needed"])


def test_doing_what_the_point_rules_out_contradicts_it() -> None:
    said = "Whenever a policy changes we'd simply have to retrain the whole assistant again."
    assert verdict(said, NO_RETRAINING) == "contradicted"


def test_ruling_it_out_in_other_words_agrees() -> None:
    said = "You just swap the documents in the index and nobody has to retrain anything."
    assert verdict(said, NO_RETRAINING) in ("met", "partly")


def test_an_option_named_under_a_negation_is_not_what_the_point_is_about() -> None:
    # "no retraining" is a claim about retrieval, so an answer about retrieval that
    # says the same thing is not "said of the other option".
    said = "With retrieval, new documents are used straight away, no retraining at all."
    assert verdict(said, NO_RETRAINING) in ("met", "partly")


def test_saying_it_got_worse_contradicts_a_point_that_says_it_is_reliable() -> None:
    point = KeyPoint("trained-in facts can still be wrong", ["facts can still be wrong"])
    said = "Once the facts are trained in they are totally reliable."
    assert verdict(said, point) == "contradicted"


INDEX = KeyPoint("index the email column", ["index the email column"])


def test_an_answer_that_dismisses_the_point_contradicts_it() -> None:
    for said in (
        "Putting an index on the email column would not make any difference here.",
        "Honestly, indexing the email field won't help; the table is tiny.",
        "An index on email doesn't really matter for this query.",
    ):
        assert verdict(said, INDEX, Glossary()) == "contradicted", said


def test_praise_with_a_negation_in_it_is_not_a_dismissal() -> None:
    for said in (
        "Index the email column; it doesn't cost anything and lookups get quick.",
        "Not only does an index on the email column speed it up, it helps every login.",
    ):
        assert verdict(said, INDEX, Glossary()) in ("met", "partly"), said


QUEUE_OR_CALL = Glossary(
    options=[["queue", "queues", "broker"], ["direct call", "calling directly"]]
)
WAITS = KeyPoint("messages wait for the worker", ["messages wait for the worker"])
MODEL_ANSWER = (
    "With a queue, messages wait for the worker until it is back, so nothing is lost. "
    "A direct call fails the moment the other service is down."
)


def test_a_short_point_is_about_the_option_its_model_answer_names() -> None:
    # The label names no option; the model answer says the queue is what holds messages.
    wrong = "A direct call is what lets the messages wait for the worker to come back."
    right = "The broker keeps the messages waiting until the worker comes back."
    result = score_answer(wrong, [WAITS], glossary=QUEUE_OR_CALL, context=MODEL_ANSWER)
    assert result.key_points[0].verdict == "contradicted"
    assert result.key_points[0].reason == "says it of the other option"
    result = score_answer(right, [WAITS], glossary=QUEUE_OR_CALL, context=MODEL_ANSWER)
    assert result.key_points[0].verdict in ("met", "partly")


def test_without_its_model_answer_a_short_point_is_about_no_option() -> None:
    wrong = "A direct call is what lets the messages wait for the worker to come back."
    result = score_answer(wrong, [WAITS], glossary=QUEUE_OR_CALL)
    assert result.key_points[0].verdict != "contradicted"


def test_saying_the_copy_is_updated_contradicts_a_point_that_says_it_is_not() -> None:
    point = KeyPoint("cached copy not refreshed", ["cached copy not refreshed"])
    said = "No, the cache updates its copy the moment anything in the database moves."
    assert verdict(said, point, Glossary()) == "contradicted"


def test_saying_it_hurts_accuracy_contradicts_a_point_that_says_it_keeps_it() -> None:
    point = KeyPoint("Keeps answers accurate", ["Keeps answers accurate"])
    said = "Shrinking the model that way tends to hurt the answers it gives."
    assert verdict(said, point, Glossary()) == "contradicted"


BOTH = KeyPoint("Often use both", ["Often use both"])


def test_a_point_turned_around_in_other_words_is_contradicted_by_meaning() -> None:
    assert verdict("You hardly ever need the two together.", BOTH, Glossary()) == "contradicted"


def test_the_same_point_in_other_words_still_counts() -> None:
    assert verdict("In practice you usually combine them.", BOTH, Glossary()) == "met"


def test_a_negation_does_not_reach_past_the_verb_of_its_own_clause() -> None:
    point = KeyPoint("cache invalidation is hard", ["cache invalidation is hard"])
    said = "Working out when cache entries are no longer valid is really difficult."
    assert verdict(said, point, Glossary()) in ("met", "partly")


def test_a_negation_does_not_reach_into_the_next_subjects_words() -> None:
    point = KeyPoint("queries get faster", ["queries get faster"])
    said = "I don't doubt it makes the queries faster."
    assert verdict(said, point, Glossary()) in ("met", "partly")


def test_fillers_do_not_change_how_close_an_answer_comes_to_a_point() -> None:
    said = {
        "queue absorbs traffic spikes": (
            "When there's a big rush the queue soaks it up.",
            "So, um, when there's, like, a big rush, uh, the queue, you know, soaks it up.",
        ),
        "reads get faster": (
            "Reading gets quicker.",
            "Uh, like, um, reading gets, you know, quicker.",
        ),
    }
    for label, (plain, hesitant) in said.items():
        point = [KeyPoint(label, [label])]
        plain_score = score_answer(plain, point).key_points[0].score
        hesitant_score = score_answer(hesitant, point).key_points[0].score
        assert abs(plain_score - hesitant_score) < 0.02, label


def test_up_to_date_is_current_and_out_of_date_is_stale() -> None:
    point = KeyPoint("answers stay current", ["answers stay current"])
    assert verdict("The answers are always up to date.", point, Glossary()) == "met"
    assert verdict("The answers are always out of date.", point, Glossary()) == "contradicted"
