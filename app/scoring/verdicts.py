"""From what the matchers found to a verdict per key point: met, partly, missed or
contradicted, with its evidence.

The phrase matcher (``matching``) is precise and knows the deck's wording; the meaning
matcher (``semantic``) hears a point made in other words. A key point is met when the
phrase matcher finds one of its phrases, or when the meaning of a piece of the answer is
close enough (``MET_AT``); partly when it is close but not that close (``PARTLY_AT``).
Before any credit is given, the clause holding the evidence is read for its claim
(``claims``): said of the other option, or the other way round, it is contradicted; so
is a meaning match clearly closer to the point turned around (``opposites``) than to
the point itself.

The two similarity thresholds were chosen on the dev half of the labelled corpus
(tests/data/scoring) and are reported on its holdout half by bench/bench_coverage.py;
they sit where MiniLM puts paraphrases apart from related-but-different statements
(paraphrases mostly above 0.45, other points of the same card mostly below 0.35).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from app.model.deckdata import Glossary, KeyPoint
from app.scoring.claims import Claim, Options, contradiction, read_claim
from app.scoring.matchers import Answer, CompiledMatcher, PointMatch
from app.scoring.normalize import tokenize
from app.scoring.types import Evidence, KeyPointResult, Verdict
from app.scoring.windows import Window, clause_of, sentences

MET_AT = 0.45
PARTLY_AT = 0.36
# A meaning score this far from both thresholds is a confident verdict.
CONFIDENT_MARGIN = 0.06


@dataclass(frozen=True)
class CompiledPoints:
    """A card's key points compiled for every matcher, and their claims."""

    key_points: tuple[KeyPoint, ...]
    matchers: tuple[CompiledMatcher, ...]
    claims: tuple[Claim, ...]
    options: Options


def compile_points(
    key_points: Sequence[KeyPoint],
    glossary: Glossary,
    matchers: Sequence[CompiledMatcher],
    context: str = "",
) -> CompiledPoints:
    """``context`` is the card's model answer: a short label ("Trace to a specific
    paragraph") often leaves out the option it is about, and the model answer says it."""
    options = Options.from_glossary(glossary.options)
    sentences = _option_sentences(context, options)
    claims = tuple(_point_claim(kp, options, sentences) for kp in key_points)
    return CompiledPoints(tuple(key_points), tuple(matchers), claims, options)


def _point_claim(
    kp: KeyPoint, options: Options, sentences: Sequence[tuple[frozenset[str], int]]
) -> Claim:
    claim = read_claim([t.text for t in tokenize(kp.label)], options)
    if claim.options or not sentences:
        return claim
    implied = implied_option(kp, sentences)
    return claim if implied is None else replace(claim, options=frozenset({implied}))


def _option_sentences(context: str, options: Options) -> list[tuple[frozenset[str], int]]:
    """The model answer's sentences that name exactly one option: (content stems, option)."""
    if not context or not options.phrases:
        return []
    tokens = tokenize(context)
    out = []
    for first, last in sentences(context, tokens):
        claim = read_claim([t.text for t in tokens[first : last + 1]], options)
        if len(claim.options) == 1 and claim.subject is not None:
            out.append((claim.content, claim.subject))
    return out


def implied_option(kp: KeyPoint, sentences: Sequence[tuple[frozenset[str], int]]) -> int | None:
    """The option a key point is about when its words do not name one: that of the model
    answer's sentence sharing most of its content words, if it shares at least half of
    them and no sentence about another option shares as many."""
    best: dict[int, float] = {}
    for text in kp.texts():
        point = read_claim([t.text for t in tokenize(text)], Options()).content
        if not point:
            continue
        for content, option in sentences:
            share = len(point & content) / len(point)
            best[option] = max(best.get(option, 0.0), share)
    if not best:
        return None
    ranked = sorted(best.items(), key=lambda item: -item[1])
    option, share = ranked[0]
    if share < 0.5 or (len(ranked) > 1 and ranked[1][1] >= share):
        return None
    return option


def judge(points: CompiledPoints, answer: Answer) -> list[KeyPointResult]:
    found = [m.match(answer) for m in points.matchers]
    results = []
    for i, kp in enumerate(points.key_points):
        matches = [per_matcher[i] for per_matcher in found]
        results.append(_verdict(kp, points.claims[i], matches, answer, points.options))
    return results


def _verdict(
    kp: KeyPoint, claim: Claim, matches: list[PointMatch], answer: Answer, options: Options
) -> KeyPointResult:
    phrase = next((m for m in matches if m.method == "phrase" and m.window), None)
    meaning = next((m for m in matches if m.method == "meaning" and m.window), None)
    if phrase is not None:
        best, verdict = phrase, "met"
    elif meaning is not None and meaning.score >= PARTLY_AT:
        best = meaning
        verdict = "met" if meaning.score >= MET_AT else "partly"
    else:
        closest = meaning.window if meaning is not None else None
        return KeyPointResult(
            kp.label,
            met=False,
            score=meaning.score if meaning else 0.0,
            method=meaning.method if meaning else "",
            confident=meaning is None or PARTLY_AT - meaning.score >= CONFIDENT_MARGIN,
            closest=_evidence(answer, closest) if closest else None,
        )
    assert best.window is not None
    clause = _claim_clause(best, answer)
    reason = _contradicted(claim, clause, answer, options)
    if (
        reason is None
        and best.method == "meaning"
        and best.opposite >= best.score + CONFIDENT_MARGIN
    ):
        # Clearly closer to the point turned around than to the point (``opposites``).
        reason = "says the opposite"
    confident = (
        best.method == "phrase"
        or min(abs(best.score - MET_AT), abs(best.score - PARTLY_AT)) >= CONFIDENT_MARGIN
    )
    final: Verdict = "contradicted" if reason else verdict  # type: ignore[assignment]
    return KeyPointResult(
        kp.label,
        met=final == "met",
        alternative=best.phrase or None,
        evidence=_evidence(answer, clause if reason else best.window),
        verdict=final,
        score=best.score if best.method == "meaning" else max(best.score, meaning_score(matches)),
        method=best.method,
        confident=confident,
        reason=reason,
    )


def meaning_score(matches: list[PointMatch]) -> float:
    return max((m.score for m in matches if m.method == "meaning"), default=0.0)


def _claim_clause(best: PointMatch, answer: Answer) -> Window:
    """The clause whose claim is read: of the clauses the evidence spans, the one the
    meaning matcher found closest to the point (a sentence can make two claims about
    two subjects), else the one in its middle."""
    assert best.window is not None
    window = best.window
    spanned = [c for c in answer.clauses if c[0] <= window.last and c[1] >= window.first]
    scored = {(w.first, w.last): s for w, s in zip(answer.windows, best.per_window, strict=False)}
    ranked = [c for c in spanned if c in scored]
    if ranked:
        first, last = max(ranked, key=lambda c: scored[c])
    else:
        first, last = clause_of(window, answer.clauses)
    start, end = answer.tokens[first].start, answer.tokens[last].end
    return Window(first, last, start, end, answer.text[start:end])


def _contradicted(claim: Claim, clause: Window, answer: Answer, options: Options) -> str | None:
    words = [t.text for t in answer.tokens[clause.first : clause.last + 1]]
    return contradiction(claim, read_claim(words, options))


def _evidence(answer: Answer, window: Window) -> Evidence:
    return Evidence(window.start, window.end, answer.text[window.start : window.end])
