"""People, recognisers and deck authors write the same words differently; normalisation
makes them the same."""

from __future__ import annotations

import pytest

from app.scoring.normalize import normalize_text, stems, tokenize


@pytest.mark.parametrize(
    ("said", "written"),
    [
        ("five times cheaper", "5x cheaper"),
        ("five x cheaper", "5 times cheaper"),
        ("5×cheaper", "5x cheaper"),
        ("ten percent", "10%"),
        ("10 per cent", "10 percent"),
        ("twenty five", "25"),
        ("twenty-five", "25"),
        ("one hundred and twenty users", "120 users"),
        ("a hundred users", "100 users"),
        ("three thousand five hundred", "3,500"),
        ("five million", "5 million"),
        ("two point five x", "2.5x"),
        ("twice as fast", "2x as fast"),
        ("the 3rd option", "the third option"),
    ],
)
def test_numbers_said_in_words_equal_digits(said: str, written: str) -> None:
    assert normalize_text(said) == normalize_text(written)


def test_numbers_that_are_not_one_number_stay_apart() -> None:
    assert normalize_text("five twenty") == "5 20"
    assert normalize_text("fifteen five") == "15 5"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("fine-tuning", "fine tuning"),
        ("Fine-Tuning", "fine tuning"),
        ("R.A.G.", "rag"),
        ("r a g", "RAG"),
        ("LLM", "l l m"),
        ("LLMs", "l. l. m. s."),
        ("don't", "do not"),
        ("doesn’t", "does not"),
        ("I'd like", "i would like"),
        ("I'm not sure", "i am not sure"),
        ("Café", "cafe"),
        ("ﬁne", "fine"),
    ],
)
def test_spellings_of_the_same_words_agree(a: str, b: str) -> None:
    assert normalize_text(a) == normalize_text(b)


def test_apostrophe_s_joins_the_word() -> None:
    assert normalize_text("It's the model's job") == "its the models job"


def test_punctuation_and_case_are_dropped() -> None:
    assert normalize_text("Retrieval, (mostly) — FAST!") == "retrieval mostly fast"


def test_every_token_keeps_the_span_it_came_from() -> None:
    text = "Fine-tuning is 5x cheaper, isn't it?"
    tokens = tokenize(text)
    assert [t.text for t in tokens] == [
        "fine", "tuning", "is", "5", "times", "cheaper", "is", "not", "it",
    ]  # fmt: skip
    assert [text[t.start : t.end] for t in tokens] == [
        "Fine", "tuning", "is", "5x", "5x", "cheaper", "isn't", "isn't", "it",
    ]  # fmt: skip


def test_number_words_span_the_whole_phrase() -> None:
    text = "about twenty five percent"
    number = tokenize(text)[1]
    assert number.text == "25"
    assert text[number.start : number.end] == "twenty five"


def test_word_forms_share_a_stem() -> None:
    retrieval, retrieve, retrieving = stems(["retrieval", "retrieve", "retrieving"])
    assert retrieval == retrieve == retrieving


def test_empty_and_symbol_only_text_has_no_tokens() -> None:
    assert tokenize("") == []
    assert tokenize(" ... !? -- ") == []
