"""A key point is met when the answer says any of its alternatives, however the words
were spoken, typed or misheard, and the evidence shows where it was said."""

from __future__ import annotations

import pytest

from app.model.deckdata import Glossary
from app.scoring.matching import match_key_points
from app.scoring.types import KeyPointResult

# A deck's own words: acronyms and mishearings live in its glossary, not in the code.
GLOSSARY = Glossary(
    acronyms={"RAG": "retrieval augmented generation", "AI": "artificial intelligence"},
    heard_as={"AI": ["eye"]},
)


def check(transcript: str, *alternatives: str) -> KeyPointResult:
    return match_key_points(transcript, [("the key point", list(alternatives))], None, GLOSSARY)[0]


def met(transcript: str, *alternatives: str) -> bool:
    return check(transcript, *alternatives).met


def test_saying_the_alternative_word_for_word_meets_it() -> None:
    result = check(
        "Well, RAG looks up the latest documents for you.", "look up the latest documents"
    )
    assert result.met
    assert result.alternative == "look up the latest documents"
    assert result.evidence is not None
    assert result.evidence.text == "looks up the latest documents"


def test_any_one_alternative_is_enough() -> None:
    assert met("It can cite its sources.", "show where the answer came from", "cite its sources")


@pytest.mark.parametrize(
    ("said", "alternative"),
    [
        ("fine tuning is five times cheaper", "fine-tuning is 5x cheaper"),
        ("it costs ten percent more", "10% more"),
        ("twenty five examples per class", "25 examples"),
        ("we retrieved the relevant passages", "retrieve relevant passages"),
        ("the model retrieving documents", "retrieval of documents"),
        ("we finetune the model", "fine-tune the model"),
        ("we fine tuned the model", "finetuned the model"),
        ("Retrieval-Augmented Generation", "retrieval augmented generation"),
        ("so r a g keeps it current", "RAG keeps it current"),
        ("an l l m on its own", "an LLM on its own"),
    ],
)
def test_numbers_word_forms_hyphens_and_acronyms_do_not_matter(said: str, alternative: str) -> None:
    assert met(said, alternative)


def test_an_acronym_of_the_decks_glossary_meets_its_spelled_out_form_and_back() -> None:
    assert met("retrieval augmented generation grounds answers", "RAG grounds answers")
    assert met("RAG grounds answers", "retrieval augmented generation grounds answers")
    no_glossary = match_key_points("retrieval augmented generation", [("p", ["RAG"])])[0]
    assert not no_glossary.met


def test_small_gaps_between_the_words_are_fine() -> None:
    said = "it looks up the very latest policy documents"
    assert met(said, "look up the latest documents")


def test_words_spread_across_a_sentence_are_not_a_match() -> None:
    said = (
        "you look at the pricing page, then the team that wrote the latest release notes "
        "prints the documents"
    )
    assert not met(said, "look up the latest documents")


def test_words_in_another_order_are_not_a_match() -> None:
    assert not met("documents the latest look", "look up the latest documents")


@pytest.mark.parametrize(
    ("heard", "alternative"),
    [
        ("retreival augmented generation", "retrieval augmented generation"),
        ("it reduces halucinations", "reduces hallucinations"),
        ("store them in a victor database", "vector database"),
        ("retrieve all augmented generation", "retrieval augmented generation"),
        ("the answers are currant", "answers are current"),
        ("nothing about the eye itself changes", "nothing about the AI"),
    ],
)
def test_misheard_and_misspelt_words_are_tolerated(heard: str, alternative: str) -> None:
    assert met(heard, alternative)


def test_a_misspelt_single_word_alternative_is_met_when_the_word_is_long() -> None:
    assert met("we rely on retreival", "retrieval")


def test_short_words_and_numbers_must_be_exact() -> None:
    assert not met("fine tuning is six times cheaper", "fine-tuning is 5x cheaper")
    assert not met("we use a rack", "rag")


def test_one_dropped_word_in_a_long_alternative_is_tolerated() -> None:
    # The recogniser lost "relevant": 4 of 5 content words remain, in order.
    said = "at query time we retrieve passages and add them to the prompt"
    assert met(said, "retrieve relevant passages and add them to the prompt")


def test_a_three_word_alternative_needs_all_three() -> None:
    assert not met("it keeps the answers fresh", "keeps answers current")


def test_a_misheard_word_needs_exact_words_around_it() -> None:
    # Two guesses and nothing certain: "victor" ~ vector, "data bass" is not database.
    assert not met("victor data bass", "vector database")


def test_short_alternatives_need_their_small_words_too() -> None:
    assert met("we could use both of them", "use both")
    assert not met("we use retrieval for both facts", "use both")
    assert met("we look them up at query time", "look them up")


def test_an_alternative_of_only_small_words_never_matches() -> None:
    assert not met("it is what it is, and this is that", "it is", "this is that")


def test_a_negated_statement_does_not_meet_the_key_point() -> None:
    assert not met("retrieval does not keep answers current", "retrieval keeps answers current")
    assert not met("it does not look up the latest documents", "look up the latest documents")
    assert met("no retraining is needed", "no retraining")


def test_answering_no_before_the_point_does_not_cancel_it() -> None:
    assert met("No, retrieval keeps answers current.", "retrieval keeps answers current")
    assert met("no retrieval keeps answers current", "retrieval keeps answers current")


def test_a_negation_elsewhere_does_not_cancel_the_point() -> None:
    said = "It is not just about cost: retrieval keeps answers current."
    assert met(said, "retrieval keeps answers current")
    said = (
        "Fine-tuning does not look up the latest documents; RAG does look up the latest documents"
    )
    result = check(said, "look up the latest documents")
    assert result.evidence is not None
    assert result.evidence.text == "look up the latest documents"
    assert result.evidence.start == said.rindex("look up")


def test_unmet_key_points_have_no_evidence() -> None:
    result = check("something else entirely", "look up the latest documents")
    assert result == KeyPointResult("the key point", met=False, alternative=None, evidence=None)


def test_evidence_points_at_the_original_text() -> None:
    said = "Honestly?  Fine-Tuning is FIVE times more expensive — at least."
    result = check(said, "fine-tuning is 5x more expensive")
    assert result.evidence is not None
    start, end = result.evidence.start, result.evidence.end
    assert said[start:end] == result.evidence.text == "Fine-Tuning is FIVE times more expensive"


def test_evidence_offsets_survive_characters_that_change_length_when_folded() -> None:
    said = "İ ß ﬁ 😀 — retrieval keeps answers current"
    result = check(said, "retrieval keeps answers current")
    assert result.evidence is not None
    assert result.evidence.text == "retrieval keeps answers current"
    assert said[result.evidence.start : result.evidence.end] == result.evidence.text


def test_each_key_point_gets_its_own_result_in_order() -> None:
    results = match_key_points(
        "RAG cites its sources. Fine tuning changes the tone.",
        [
            ("Tone", ["changes the tone"]),
            ("Cost", ["five times cheaper"]),
            ("Sources", ["cites its sources"]),
        ],
    )
    assert [(r.label, r.met) for r in results] == [
        ("Tone", True),
        ("Cost", False),
        ("Sources", True),
    ]
