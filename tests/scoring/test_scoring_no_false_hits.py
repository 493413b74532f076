"""An answer about something else must not score: tolerance for misheard words may not
turn into credit for unrelated talk."""

from __future__ import annotations

import pytest

from app.model.deckdata import KeyPoint
from app.scoring import score_answer

RAG_KEY_POINTS = [
    KeyPoint(
        "Retrieval keeps answers current",
        ["look up the latest documents", "retrieval keeps answers current", "no retraining"],
    ),
    KeyPoint("Fine-tuning is costly", ["fine-tuning is 5x more expensive", "retraining costs"]),
    KeyPoint("RAG can cite sources", ["cite its sources", "show where the answer came from"]),
    KeyPoint(
        "Fine-tuning changes behaviour",
        ["fine-tuning changes how the model behaves", "teach it a format or tone"],
    ),
    KeyPoint("Fewer hallucinations", ["fewer hallucinations", "grounded in real documents"]),
    KeyPoint("Vector search", ["vector database", "embeddings of the documents"]),
    KeyPoint("Often use both", ["use both", "combine them"]),
    KeyPoint("Smaller models are faster", ["a smaller model responds faster"]),
    KeyPoint("Ten percent of queries", ["ten percent of queries"]),
    KeyPoint("Start with RAG", ["start with retrieval", "RAG first"]),
]

UNRELATED = {
    "cooking": (
        "Preheat the oven to two hundred degrees. Whisk the eggs with the sugar until pale, "
        "then fold in the flour and a pinch of salt. Pour the batter into a lined tin and bake "
        "for twenty five minutes, until a skewer comes out clean. Let it cool on a rack before "
        "you add the icing, otherwise it melts and slides off the top. It keeps for days."
    ),
    "football": (
        "It was a tense match. The home side went a goal down after ten minutes, when the "
        "keeper spilled a cross, but they equalised just before half time with a header from "
        "a corner. In the second half the visitors had a man sent off, and a late penalty made "
        "it two one. The manager said the team never stopped believing."
    ),
    "weather": (
        "Tomorrow starts cloudy with patchy drizzle in the west, clearing to sunny spells by "
        "the afternoon. Temperatures reach eighteen degrees in the south but stay around "
        "twelve on the coast, where a fresh northerly wind makes it feel colder. Overnight "
        "skies clear, with a risk of frost in sheltered valleys, and the weekend looks "
        "unsettled with heavy showers."
    ),
    "kubernetes networking": (
        "In Kubernetes every pod gets its own IP address, and the container network interface "
        "plugin wires pods together across nodes. A Service gives a stable virtual IP in front "
        "of a set of pods, and kube-proxy programs iptables or IPVS rules so traffic to that "
        "address is load balanced to healthy endpoints. Network policies act like a firewall "
        "between namespaces, and an ingress controller routes external HTTP traffic by path."
    ),
    "recogniser garbage": (
        "three blah and the other reason the sensor darwin was the oh so the ladies are you "
        "sir winston i find to eat fine i or stand it and the the race on the silly stuff"
    ),
}


@pytest.mark.parametrize("topic", sorted(UNRELATED))
def test_an_answer_about_something_else_scores_almost_nothing(topic: str) -> None:
    result = score_answer(UNRELATED[topic], RAG_KEY_POINTS)
    met = [(kp.label, kp.evidence) for kp in result.key_points if kp.met]
    assert result.coverage <= 0.1, met


def test_a_related_answer_still_scores_against_the_same_key_points() -> None:
    answer = (
        "Retrieval keeps answers current because it looks up the latest documents, and it can "
        "cite its sources, so there are fewer hallucinations. Fine-tuning is five times more "
        "expensive, but fine tuning changes how the model behaves. In practice we use both."
    )
    assert score_answer(answer, RAG_KEY_POINTS).coverage >= 0.6


def test_an_answer_that_says_the_opposite_is_not_credited() -> None:
    answer = "Retrieval does not keep answers current; it cannot cite its sources either."
    result = score_answer(answer, RAG_KEY_POINTS[:1])
    assert result.coverage == 0.0
