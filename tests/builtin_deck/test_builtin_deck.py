"""The built-in "RAG vs Fine-Tuning" deck is complete and every role-play is answerable."""

from __future__ import annotations

import pytest

from app.core.seed import builtin_deck_path
from app.formats.native import read_native
from app.model.deckdata import DeckData


@pytest.fixture(scope="module")
def deck() -> DeckData:
    return read_native(builtin_deck_path("rag-vs-fine-tuning"))


def test_the_deck_is_big_enough_to_practise_with(deck: DeckData) -> None:
    kinds = [c.kind for c in deck.cards]
    assert kinds.count("flashcard") >= 40
    assert kinds.count("roleplay") >= 12


def test_every_persona_asks_several_questions(deck: DeckData) -> None:
    asked = [c.persona for c in deck.cards if c.kind == "roleplay"]
    assert {p.key for p in deck.personas} >= {"product manager", "executive", "client"}
    for persona in deck.personas:
        assert persona.name and persona.role and persona.cares_about
        assert asked.count(persona.key) >= 3, persona.key


def test_no_card_has_an_empty_field(deck: DeckData) -> None:
    ids = [c.guid for c in deck.cards]
    assert len(ids) == len(set(ids))
    for card in deck.cards:
        if card.kind == "flashcard":
            assert card.front.strip() and card.back.strip(), card.guid
        else:
            assert card.question.strip() and card.model_answer.strip(), card.guid
            assert deck.persona(card.persona) is not None, card.guid
        assert card.tags, card.guid


def test_each_roleplay_has_three_to_six_key_points_its_model_answer_says(deck: DeckData) -> None:
    from app.scoring import score_answer

    for card in (c for c in deck.cards if c.kind == "roleplay"):
        assert 3 <= len(card.key_points) <= 6, card.guid
        for point in card.key_points:
            assert point.label.strip() and point.alternatives, (card.guid, point.label)
        result = score_answer(card.model_answer, card.key_points, glossary=deck.glossary)
        missed = [(k.label, k.verdict) for k in result.key_points if not k.met]
        assert not missed, (card.guid, missed)


@pytest.mark.parametrize(
    "section_tag",
    [
        "definitions",
        "analogies",
        "use-rag",
        "use-fine-tuning",
        "trade-offs",
        "misconceptions",
        "audiences",
        "hybrid",
        "drill",
        "follow-up",
    ],
)
def test_every_section_of_the_source_document_has_cards(deck: DeckData, section_tag: str) -> None:
    assert any(section_tag in c.tags for c in deck.cards)


def test_stakeholder_follow_up_questions_are_rehearsable(deck: DeckData) -> None:
    questions = [c.question.lower() for c in deck.cards if c.kind == "roleplay"]
    # Each follow-up, in any of the words a stakeholder would use for it.
    topics = {
        "prompt engineering": ("prompt",),
        "audit trail": ("audit", "trace"),
        "cost": ("cost", "pay", "price"),
        "update speed": ("update", "change"),
        "hallucination": ("hallucinat", "make things up", "invent"),
    }
    for topic, phrasings in topics.items():
        assert any(p in q for q in questions for p in phrasings), topic


UNRELATED = [
    "To make a good risotto, toast the rice in butter, then add warm stock a ladle at a "
    "time and stir. Some cooks use both butter and oil. Finish with parmesan and rest it.",
    "The weather tomorrow brings ground frost early, then sunshine, with a light breeze "
    "from the west and highs around twelve degrees; it may turn cloudy by the evening.",
    "In Kubernetes, a pod gets an IP address, and the service resolves the host name "
    "through cluster DNS so traffic reaches healthy endpoints behind the load balancer.",
    "The match ended two nil after a late penalty; the coach said the team kept its shape, "
    "the defenders did their job, and the fans should expect changes next season.",
    "Um, I think, basically, you know, it depends on a lot of things, and we should "
    "probably discuss it with the team later this week before anyone decides anything.",
]


@pytest.mark.parametrize(
    "paragraph", UNRELATED, ids=["cooking", "weather", "k8s", "sport", "waffle"]
)
def test_an_unrelated_answer_covers_almost_nothing(deck: DeckData, paragraph: str) -> None:
    from app.scoring import score_answer

    for card in (c for c in deck.cards if c.kind == "roleplay"):
        result = score_answer(paragraph, card.key_points, glossary=deck.glossary)
        hits = [(k.label, k.verdict) for k in result.key_points if k.verdict != "missed"]
        # Nothing is met; a short key point that shares a word with the talk ("changes")
        # may come out "partly" (half credit), which caps coverage at 0.2 here.
        assert not any(k.met for k in result.key_points), (card.guid, hits)
        assert result.coverage <= 0.2, (card.guid, hits)
