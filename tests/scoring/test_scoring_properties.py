"""Properties that hold for any text a user or a recogniser can produce."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.model.deckdata import KeyPoint
from app.scoring import score_answer
from app.scoring.lexicon import STOPWORDS
from app.scoring.normalize import normalize_text

# Words an alternative is made of: content words, stopwords, numbers and symbols that
# normalisation rewrites, hyphenated and acronym forms.
ALTERNATIVE_WORDS = [
    "retrieval", "augmented", "generation", "fine-tuning", "finetuning", "model", "models",
    "documents", "latest", "look", "up", "the", "of", "a", "it", "cheaper", "5x", "ten",
    "percent", "10%", "RAG", "LLMs", "vector", "database", "don't", "answers", "current",
    "keeps", "hallucinations", "tone", "format", "twenty", "five", "embeddings", "cost",
]  # fmt: skip
# Surrounding text: lower-case words that normalisation leaves alone and that cannot join
# with the alternative (no single letters, number words or "cent").
FILLER_WORDS = st.text(alphabet="bcdfghjklmnpqrstvwxz", min_size=2, max_size=8)
alternatives = st.lists(st.sampled_from(ALTERNATIVE_WORDS), min_size=1, max_size=6).map(" ".join)
has_content = alternatives.filter(
    lambda alt: any(w not in STOPWORDS for w in normalize_text(alt).split())
)


@given(st.text())
@settings(deadline=None)
def test_normalising_twice_changes_nothing(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


@given(
    alternative=has_content,
    before=st.lists(FILLER_WORDS, max_size=30),
    after=st.lists(FILLER_WORDS, max_size=30),
    punctuation=st.sampled_from([" ", ". ", ", ", " — "]),
)
@settings(deadline=None)
def test_an_alternative_said_word_for_word_is_always_met(
    alternative: str, before: list[str], after: list[str], punctuation: str
) -> None:
    transcript = punctuation.join([" ".join(before), alternative, " ".join(after)])
    result = score_answer(transcript, [KeyPoint("point", [alternative])], meaning=False)
    assert result.coverage == 1.0, transcript


@given(
    transcript=st.text(max_size=300),
    key_points=st.lists(
        st.builds(KeyPoint, st.text(max_size=20), st.lists(st.text(max_size=40), max_size=4)),
        max_size=6,
    ),
)
@settings(max_examples=60, deadline=None)  # each runs the embedding model
def test_scoring_any_text_never_fails_and_stays_in_range(
    transcript: str, key_points: list[KeyPoint]
) -> None:
    result = score_answer(transcript, key_points)
    assert 0.0 <= result.coverage <= 1.0
    assert result.suggested_rating in (1, 2, 3, 4)
    assert len(result.key_points) == len(key_points)
    result.to_json()


@given(
    transcript=st.lists(
        st.one_of(st.sampled_from(ALTERNATIVE_WORDS), FILLER_WORDS, st.text(max_size=5)),
        max_size=60,
    ).map(" ".join),
    key_points=st.lists(
        st.builds(KeyPoint, st.just("point"), st.lists(alternatives, min_size=1, max_size=3)),
        min_size=1,
        max_size=5,
    ),
)
@settings(max_examples=60, deadline=None)  # each runs the embedding model
def test_evidence_is_exactly_the_transcript_text_it_points_at(
    transcript: str, key_points: list[KeyPoint]
) -> None:
    # Both matchers: evidence from the meaning matcher must point at real text too.
    for kp in score_answer(transcript, key_points).key_points:
        if kp.evidence is None:
            assert kp.verdict == "missed"
            continue
        assert kp.verdict in ("met", "partly", "contradicted")
        assert 0 <= kp.evidence.start < kp.evidence.end <= len(transcript)
        assert transcript[kp.evidence.start : kp.evidence.end] == kp.evidence.text


def test_a_contraction_next_to_a_lone_letter_normalises_once_and_for_all() -> None:
    # Found by hypothesis: "A$IM" became "a i am" (then "ai am"), "I:M" became "im"
    # (then "i am").
    for text in ("A$IM", "I:M", "x im", "a i m"):
        once = normalize_text(text)
        assert normalize_text(once) == once, text
