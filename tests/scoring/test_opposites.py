"""A key point turned around in words: the deck's other option in its place, or the
other end of one of its axis words. The meaning matcher embeds these next to the point."""

from __future__ import annotations

from app.scoring.opposites import turned_around

OPTIONS = [["retrieval", "RAG"], ["fine-tuning", "training"]]


def test_the_other_option_takes_the_place_of_the_one_the_point_names() -> None:
    assert "retrieval would go stale" in turned_around("Fine-tuning would go stale", OPTIONS)


def test_an_axis_word_is_replaced_by_the_other_end_of_its_axis() -> None:
    turned = turned_around("Queries get faster", OPTIONS)
    assert any("slow" in t for t in turned) and all("faster" not in t for t in turned)


def test_a_point_with_nothing_to_turn_has_no_opposite() -> None:
    assert turned_around("Cite sources", OPTIONS) == []
