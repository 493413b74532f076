"""Delivery feedback: pace, fillers, hedges and long silences, without blaming the user
for words that were not fillers."""

from __future__ import annotations

import pytest

from app.model.words import TimedWord
from app.scoring.delivery import analyse_delivery, count_fillers, count_hedges, long_pauses
from app.scoring.normalize import tokenize


def timed(*spec: tuple[str, float, float]) -> list[TimedWord]:
    return [TimedWord(w, start, end, 0.9) for w, start, end in spec]


def evenly(n: int, start: float, end: float) -> list[TimedWord]:
    step = (end - start) / n
    return [TimedWord(f"word{i}", start + i * step, start + (i + 1) * step) for i in range(n)]


def test_fillers_are_counted_by_kind() -> None:
    said = "Um, so, uh, basically we, like, retrieve documents, you know. Um, I mean, actually."
    assert count_fillers(said) == {
        "um": 2,
        "uh": 1,
        "basically": 1,
        "like": 1,
        "you know": 1,
        "I mean": 1,
        "actually": 1,
    }


@pytest.mark.parametrize(("sound", "counted_as"), [("erm", "um"), ("hmm", "um"), ("umm", "um")])
def test_hesitation_variants_count_as_um(sound: str, counted_as: str) -> None:
    assert count_fillers(f"well {sound} it depends") == {counted_as: 1}


@pytest.mark.parametrize("sound", ["er", "ah", "uhh"])
def test_other_hesitation_sounds_count_as_uh(sound: str) -> None:
    assert count_fillers(f"it {sound} depends") == {"uh": 1}


@pytest.mark.parametrize(
    "said",
    [
        "I would like to explain the trade-off",
        "I'd like to walk you through it",
        "it looks like retrieval is the better fit",
        "I feel like we should start small",
        "it sounds like a caching problem",
        "we could do it like this",
        "tools like retrieval keep it current",
        "users like short answers",
        "it is like a library with an index",
    ],
)
def test_like_that_means_something_is_not_a_filler(said: str) -> None:
    assert "like" not in count_fillers(said)


def test_like_set_off_by_commas_is_a_filler() -> None:
    assert count_fillers("it's, like, really fast") == {"like": 1}
    assert count_fillers("so like we retrieve first") == {"like": 1}


def test_kind_of_names_a_kind_or_hedges() -> None:
    assert count_hedges(tokenize("what kind of model do we need")) == {}
    assert count_hedges(tokenize("that sort of thing is common")) == {}
    said = tokenize("it's kind of slow and sort of expensive")
    assert count_hedges(said) == {"kind of": 1, "sort of": 1}


def test_you_know_and_i_mean_as_real_words_are_not_fillers() -> None:
    assert count_fillers("do you know the cost of fine tuning") == {}
    assert count_fillers("what I mean is that it is cheaper") == {}


def test_hedges_are_counted_by_phrase() -> None:
    said = "I think we might, maybe, probably use RAG. I guess. I'm not sure, it's kind of new."
    assert count_hedges(tokenize(said)) == {
        "I think": 1,
        "might": 1,
        "maybe": 1,
        "probably": 1,
        "I guess": 1,
        "I'm not sure": 1,
        "kind of": 1,
    }


def test_a_confident_answer_has_no_hedges() -> None:
    assert (
        count_hedges(tokenize("Retrieval keeps answers current; the kind of model matters")) == {}
    )


def test_silences_over_two_seconds_between_words_are_long_pauses() -> None:
    words = timed(("so", 0.0, 0.3), ("rag", 0.4, 0.8), ("looks", 3.1, 3.4), ("up", 5.3, 5.5))
    (pause,) = long_pauses(words)
    assert pause.start == 0.8
    assert pause.duration == pytest.approx(2.3)


def test_recogniser_markers_do_not_break_up_a_pause() -> None:
    words = timed(("so", 0.0, 0.3), ("<sil>", 0.3, 3.0), ("[noise]", 1.0, 1.2), ("rag", 3.0, 3.3))
    (pause,) = long_pauses(words)
    assert pause.start == 0.3
    assert pause.duration == pytest.approx(2.7)


def test_pace_comes_from_word_timings_when_there_are_any() -> None:
    # 20 words spoken between 1 s and 11 s of a 30 s recording: 120 words a minute.
    delivery = analyse_delivery("ignored for pace", evenly(20, 1.0, 11.0), duration_s=30.0)
    assert delivery.wpm == pytest.approx(120.0)
    assert delivery.duration_s == 30.0


def test_pace_falls_back_to_transcript_words_over_duration() -> None:
    transcript = " ".join(["word"] * 30)
    delivery = analyse_delivery(transcript, None, duration_s=15.0)
    assert delivery.wpm == pytest.approx(120.0)


def test_a_typed_answer_has_no_pace() -> None:
    delivery = analyse_delivery("we look up the latest documents", None, None)
    assert delivery.wpm is None
    assert delivery.duration_s is None
    assert delivery.fillers_per_minute is None


def test_fillers_per_minute_use_the_recording_length() -> None:
    delivery = analyse_delivery("um we uh retrieve um documents", None, duration_s=30.0)
    assert delivery.fillers == {"um": 2, "uh": 1}
    assert delivery.fillers_per_minute == pytest.approx(6.0)


def test_without_a_duration_the_words_give_the_length() -> None:
    words = timed(("um", 0.5, 0.8), ("retrieval", 1.0, 1.6), ("works", 1.7, 2.0))
    delivery = analyse_delivery("", words)
    assert delivery.duration_s == 2.0
    assert delivery.fillers == {"um": 1}


def test_actually_and_basically_are_fillers_only_where_they_fill() -> None:
    from app.scoring.delivery import count_fillers

    assert count_fillers("It actually changes the weights.") == {}
    assert count_fillers("So basically we search the documents first.") == {"basically": 1}
    assert count_fillers("Actually, it depends on the documents.") == {"actually": 1}


def test_a_phrase_is_never_counted_as_filler_and_hedge_at_once() -> None:
    from app.scoring.delivery import count_fillers, count_hedges
    from app.scoring.normalize import tokenize

    said = "It kind of works, and it sort of scales."
    fillers, hedges = count_fillers(said), count_hedges(tokenize(said))
    assert hedges == {"kind of": 1, "sort of": 1}
    assert not set(fillers) & set(hedges)
