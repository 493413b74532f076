"""``score_answer``: one call gives the screen everything it shows after an answer."""

from __future__ import annotations

import json

from app.model.deckdata import KeyPoint
from app.scoring import ScoreResult, TimedWord, score_answer

KEY_POINTS = [
    KeyPoint("Retrieval keeps answers current", ["look up the latest documents"]),
    KeyPoint("Fine-tuning is costly", ["fine-tuning is 5x more expensive"]),
    KeyPoint("Often use both", ["use both", "combine them"]),
]
ANSWER = (
    "Um, RAG looks up the latest documents at query time. Fine tuning is five times more "
    "expensive, so I think we start with retrieval."
)


def spoken(text: str, start: float = 0.0, step: float = 0.4) -> list[TimedWord]:
    return [
        TimedWord(w, start + i * step, start + i * step + 0.3, 0.8)
        for i, w in enumerate(text.split())
    ]


def test_an_answer_that_says_five_times_meets_the_key_point_5x() -> None:
    result = score_answer("Fine tuning is five times more expensive.", KEY_POINTS[1:2])
    assert result.coverage == 1.0
    assert result.key_points[0].evidence is not None
    assert result.key_points[0].evidence.text == "Fine tuning is five times more expensive"


def test_coverage_is_the_share_of_key_points_met() -> None:
    result = score_answer(ANSWER, KEY_POINTS)
    assert [kp.met for kp in result.key_points] == [True, True, False]
    assert result.coverage == 2 / 3


def test_no_key_points_means_no_coverage() -> None:
    assert score_answer(ANSWER, []).coverage == 0.0


def test_the_json_has_the_agreed_shape() -> None:
    result = score_answer(ANSWER, KEY_POINTS, spoken(ANSWER), duration_s=12.0)
    data = result.to_json()
    json.dumps(data)  # serialisable as is
    # Fields are only ever added: the first four are the original contract.
    assert set(data) == {
        "coverage", "key_points", "delivery", "suggested_rating", "confident", "notes"
    }  # fmt: skip
    assert data["key_points"][0]["label"] == "Retrieval keeps answers current"
    assert data["key_points"][0]["met"] is True
    assert data["key_points"][0]["verdict"] == "met"
    assert data["key_points"][0]["method"] == "phrase"
    assert 0 < data["key_points"][0]["score"] <= 1
    assert data["key_points"][2]["verdict"] in ("missed", "partly")
    assert data["key_points"][0]["evidence"] == "looks up the latest documents"
    start, end = data["key_points"][0]["evidence_span"]
    assert ANSWER[start:end] == "looks up the latest documents"
    assert data["key_points"][2]["evidence"] is None
    delivery = data["delivery"]
    assert {"duration_s", "wpm", "fillers", "long_pauses", "hedges"} <= set(delivery)
    assert delivery["fillers"] == {"um": 1}
    assert delivery["hedges"] == 1
    assert delivery["hedge_words"] == {"I think": 1}
    assert delivery["long_pauses"] == 0
    assert delivery["pauses"] == []
    assert delivery["duration_s"] == 12.0
    assert data["suggested_rating"] in (1, 2, 3, 4)


def test_a_complete_smooth_answer_is_suggested_easy() -> None:
    text = "We look up the latest documents, fine-tuning is 5x more expensive, so we use both."
    result = score_answer(text, KEY_POINTS, spoken(text), duration_s=8.0)
    assert result.coverage == 1.0
    assert result.suggested_rating == 4


def test_long_silences_are_reported_with_when_and_how_long() -> None:
    words = [*spoken("we look up"), *spoken("the latest documents", start=4.0)]
    result = score_answer("we look up the latest documents", KEY_POINTS, words)
    pauses = result.to_json()["delivery"]["pauses"]
    assert pauses == [{"start": 1.1, "duration": 2.9}]
    assert result.to_json()["delivery"]["long_pauses"] == 1


def test_scoring_is_repeatable_and_returns_the_transcript() -> None:
    first = score_answer(ANSWER, KEY_POINTS)
    assert isinstance(first, ScoreResult)
    assert first.transcript == ANSWER
    assert score_answer(ANSWER, KEY_POINTS) == first
