"""Decide which key points an answer says, and where.

A key point is met when any one of its alternatives is found in the transcript. An
alternative is matched as its content words (stopwords are ignored on both sides) in order,
tolerating what speech and paraphrase do to it:

- word forms: words compare by Snowball stem ("retrieving" meets "retrieval");
- compounds: "finetuning" meets "fine tuning" and the other way round;
- misrecognised words: fuzzy spelling (rapidfuzz ratio, stricter for short words; words of
  three letters or fewer and numbers must be exact) or equal Metaphone codes ("vector" heard
  as "victor");
- small gaps: up to ``MAX_GAP`` extra content words between two phrase words, and in all
  ``_budget(k)`` for a phrase of ``k`` content words;
- dropped words: a phrase of 4+ content words is met when ``_required(k)`` (at least 75%) of
  them are present.

To keep unrelated answers from scoring, at least half of the words a match uses must be
exact (same word, stem or compound), a one-word alternative must be exact or a close
spelling of a long word, and an alternative made only of stopwords never matches.

Key points are compiled once per distinct set (cached), and each transcript is compared
against all their words at once, so scoring stays in the low milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

import jellyfish
import numpy as np
from rapidfuzz import fuzz, process

from app.scoring.lexicon import ACRONYMS, STOPWORDS, filler_sound
from app.scoring.normalize import Token, stems, tokenize
from app.scoring.types import Evidence, KeyPointResult

MAX_GAP = 2
# Quality a phonetic-only match contributes (an exact match is 1.0, fuzzy is ratio/100).
PHONETIC_QUALITY = 0.8
# Fuzzy stem comparisons are stricter than word ones: stems are short and lose the ending
# that tells "latency" from "latent".
STEM_FUZZY_MIN = 85
# A one-word alternative may only be met by a close spelling when it is this long.
SINGLE_WORD_FUZZY_LEN = 6
SINGLE_WORD_FUZZY_MIN = 85


def _fuzzy_min(word: str) -> int:
    """Lowest rapidfuzz ratio at which a heard word counts as ``word``; 0 = exact only.
    One wrong letter in a 5-letter word scores 80, a swapped pair in "retrieval" 89."""
    if not word.isalpha() or len(word) <= 3:
        return 0
    if len(word) <= 5:
        return 85
    if len(word) <= 8:
        return 80
    return 78


def _required(k: int) -> int:
    """Content words that must be present: all of up to 3, then at least 75%."""
    return k if k <= 3 else math.ceil(0.75 * k)


def _budget(k: int) -> int:
    """Extra content words allowed inside a match, in all."""
    return 1 if k <= 3 else 2 if k <= 5 else 3


class KeyPointMatch(NamedTuple):
    alternative: str
    start: int  # character offsets into the original transcript
    end: int
    score: float  # share of the alternative's content words found, weighted by quality


@dataclass
class _Unit:
    """A word some alternative needs."""

    word: str
    stem: str
    fuzzy_min: int
    phonetic: str | None


@dataclass(frozen=True)
class _Phrase:
    key_point: int
    alternative: str
    units: tuple[int, ...]
    # joins[i]: unit of content words i and i+1 written as one ("fine tuning" ->
    # "finetuning"), when they are adjacent in the alternative.
    joins: tuple[int | None, ...]
    n_tokens: int
    longest: int  # length of its longest content word

    @property
    def k(self) -> int:
        return len(self.units)


class _Candidate(NamedTuple):
    i0: int  # phrase content words covered, inclusive
    i1: int
    p0: int  # transcript content positions covered, inclusive
    p1: int
    quality: float


@dataclass
class _Chain:
    count: int
    quality: float
    exact: int
    extra: int
    first: _Candidate
    last: _Candidate

    def key(self) -> tuple[int, float, int]:
        return (self.count, self.quality, -self.extra)


@dataclass
class KeyPointMatcher:
    """Key points compiled for matching. Build with ``compile_key_points``."""

    n_key_points: int
    phrases: list[_Phrase] = field(default_factory=list)
    units: list[_Unit] = field(default_factory=list)
    by_word: dict[str, int] = field(default_factory=dict)
    by_stem: dict[str, list[int]] = field(default_factory=dict)
    by_phonetic: dict[str, list[int]] = field(default_factory=dict)
    fuzzy_ids: list[int] = field(default_factory=list)

    def unit(self, word: str, *, exact_only: bool = False) -> int:
        """The unit for ``word``, added on first use. Compounds joined from two words are
        exact-only, unless some alternative also uses the word on its own."""
        uid = self.by_word.get(word)
        if uid is None:
            uid = len(self.units)
            self.units.append(_Unit(word, stems([word])[0], 0, None))
            self.by_word[word] = uid
            self.by_stem.setdefault(self.units[uid].stem, []).append(uid)
        unit = self.units[uid]
        if not exact_only and unit.fuzzy_min == 0 and unit.phonetic is None:
            unit.fuzzy_min = _fuzzy_min(word)
            unit.phonetic = _metaphone(word)
            if unit.phonetic is not None:
                self.by_phonetic.setdefault(unit.phonetic, []).append(uid)
            if unit.fuzzy_min:
                self.fuzzy_ids.append(uid)
        return uid

    def add_alternative(self, key_point: int, alternative: str) -> None:
        words = [t.text for t in tokenize(alternative) if filler_sound(t.text) is None]
        for variant in _acronym_variants(words):
            content = [(i, w) for i, w in enumerate(variant) if w not in STOPWORDS]
            if not content:
                continue  # only stopwords: would match any answer
            units = tuple(self.unit(w) for _, w in content)
            joins = tuple(
                self.unit(w + content[n + 1][1], exact_only=True)
                if n + 1 < len(content) and content[n + 1][0] == i + 1
                else None
                for n, (i, w) in enumerate(content)
            )
            longest = max(len(w) for _, w in content)
            self.phrases.append(
                _Phrase(key_point, alternative, units, joins, len(variant), longest)
            )

    def match(self, tokens: Sequence[Token]) -> list[KeyPointMatch | None]:
        """The best match of each key point among a transcript's ``tokens`` (None where
        not met)."""
        stream = [
            i for i, t in enumerate(tokens) if t.text not in STOPWORDS and not filler_sound(t.text)
        ]
        hits = self._hits(tokens, stream)
        best: list[KeyPointMatch | None] = [None] * self.n_key_points
        for phrase in self.phrases:
            chain = _best_chain(phrase, hits, tokens, stream)
            if chain is None:
                continue
            score = chain.quality / phrase.k
            current = best[phrase.key_point]
            if current is None or score > current.score:
                start = tokens[stream[chain.first.p0]].start
                end = tokens[stream[chain.last.p1]].end
                best[phrase.key_point] = KeyPointMatch(phrase.alternative, start, end, score)
        return best

    def _hits(
        self, tokens: Sequence[Token], stream: list[int]
    ) -> dict[int, list[tuple[int, int, float]]]:
        """unit -> (first, last, quality) for every transcript position that says it."""
        words = [tokens[i].text for i in stream]
        distinct = list(dict.fromkeys(words))
        distinct_stems = stems(distinct)
        per_word: dict[str, dict[int, float]] = {w: {} for w in distinct}

        for word, stem in zip(distinct, distinct_stems, strict=True):
            found = per_word[word]
            uid = self.by_word.get(word)
            if uid is not None:
                found[uid] = 1.0
            for uid in self.by_stem.get(stem, ()):
                found[uid] = 1.0
            code = _metaphone(word)
            for uid in self.by_phonetic.get(code or "", ()):
                if uid not in found and fuzz.ratio(word, self.units[uid].word) >= 50:
                    found[uid] = PHONETIC_QUALITY
        self._fuzzy(distinct, distinct_stems, per_word)

        hits: dict[int, list[tuple[int, int, float]]] = {}
        for p, word in enumerate(words):
            for uid, quality in per_word[word].items():
                hits.setdefault(uid, []).append((p, p, quality))
        # A compound heard as two words: "fine tuning" for "finetuning".
        pairs = [p for p in range(len(stream) - 1) if stream[p + 1] == stream[p] + 1]
        joined = [words[p] + words[p + 1] for p in pairs]
        for p, word, stem in zip(pairs, joined, stems(joined), strict=True):
            uids = set(self.by_stem.get(stem, ()))
            uid = self.by_word.get(word)
            if uid is not None:
                uids.add(uid)
            for uid in uids:
                hits.setdefault(uid, []).append((p, p + 1, 1.0))
        return hits

    def _fuzzy(
        self,
        distinct: list[str],
        distinct_stems: list[str],
        per_word: dict[str, dict[int, float]],
    ) -> None:
        choices = [i for i, w in enumerate(distinct) if len(w) > 3 and w.isalpha()]
        if not choices or not self.fuzzy_ids:
            return
        units = [self.units[u] for u in self.fuzzy_ids]
        mins = np.array([u.fuzzy_min for u in units], dtype=np.float32)[:, None]
        by_word = process.cdist(
            [u.word for u in units],
            [distinct[i] for i in choices],
            scorer=fuzz.ratio,
            score_cutoff=float(mins.min()),
            dtype=np.float32,
        )
        by_stem = process.cdist(
            [u.stem for u in units],
            [distinct_stems[i] for i in choices],
            scorer=fuzz.ratio,
            score_cutoff=STEM_FUZZY_MIN,
            dtype=np.float32,
        )
        scores = np.maximum(np.where(by_word >= mins, by_word, 0), by_stem)
        for row, col in zip(*np.nonzero(scores), strict=True):
            found = per_word[distinct[choices[col]]]
            uid = self.fuzzy_ids[row]
            quality = float(scores[row, col]) / 100
            if found.get(uid, 0.0) < quality:
                found[uid] = quality


def _metaphone(word: str) -> str | None:
    """Metaphone code for words long enough for it to mean something, else None."""
    if len(word) < 3 or not (word.isascii() and word.isalpha()):
        return None
    code = jellyfish.metaphone(word)
    return code if len(code) >= 2 else None


def _acronym_variants(words: list[str]) -> list[list[str]]:
    """The alternative as written plus, for a known acronym, its other form ("rag" <->
    "retrieval augmented generation")."""
    variants = [words]
    for short, long in ACRONYMS.items():
        n = len(long)
        for current in list(variants):
            if short in current:
                i = current.index(short)
                variants.append([*current[:i], *long, *current[i + 1 :]])
            for i in range(len(current) - n + 1):
                if tuple(current[i : i + n]) == long:
                    variants.append([*current[:i], short, *current[i + n :]])
                    break
    return variants


def _best_chain(
    phrase: _Phrase,
    hits: dict[int, list[tuple[int, int, float]]],
    tokens: Sequence[Token],
    stream: list[int],
) -> _Chain | None:
    k = phrase.k
    required = _required(k)
    cands: list[_Candidate] = []
    covered: set[int] = set()
    for i, uid in enumerate(phrase.units):
        for p0, p1, q in hits.get(uid, ()):
            cands.append(_Candidate(i, i, p0, p1, q))
            covered.add(i)
        join = phrase.joins[i]
        if join is not None:
            for p0, p1, q in hits.get(join, ()):
                cands.append(_Candidate(i, i + 1, p0, p1, q))
                covered.update((i, i + 1))
    if len(covered) < required:
        return None
    cands.sort(key=lambda c: (c.p0, c.i0))
    budget = _budget(k)
    max_span = phrase.n_tokens + 2 * budget + 3
    reach = k + MAX_GAP + 2
    # chains[c][extra] = best chain ending at candidate c having used ``extra`` gap words.
    chains: list[dict[int, _Chain]] = []
    best: _Chain | None = None
    for n, c in enumerate(cands):
        width = c.i1 - c.i0 + 1
        exact = width if c.quality >= 1.0 else 0
        ending: dict[int, _Chain] = {0: _Chain(width, c.quality * width, exact, 0, c, c)}
        for m in range(n - 1, -1, -1):
            prev = cands[m]
            if prev.p0 < c.p0 - reach:
                break
            if prev.i1 >= c.i0 or prev.p1 >= c.p0:
                continue
            extra = max(0, (c.p0 - prev.p1 - 1) - (c.i0 - prev.i1 - 1))
            if extra > MAX_GAP:
                continue
            for used, chain in chains[m].items():
                total = used + extra
                if total > budget:
                    continue
                if stream[c.p1] - stream[chain.first.p0] + 1 > max_span:
                    continue
                grown = _Chain(
                    chain.count + width,
                    chain.quality + c.quality * width,
                    chain.exact + exact,
                    total,
                    chain.first,
                    c,
                )
                held = ending.get(total)
                if held is None or grown.key() > held.key():
                    ending[total] = grown
        chains.append(ending)
        for chain in ending.values():
            if _accepted(phrase, chain, required) and (best is None or chain.key() > best.key()):
                best = chain
    return best


def _accepted(phrase: _Phrase, chain: _Chain, required: int) -> bool:
    if chain.count < required:
        return False
    if phrase.k == 1 and chain.exact == 0:
        return (
            phrase.longest >= SINGLE_WORD_FUZZY_LEN and chain.quality * 100 >= SINGLE_WORD_FUZZY_MIN
        )
    return chain.exact >= max(1, math.ceil(chain.count / 2))


@lru_cache(maxsize=128)
def _compiled(key_points: tuple[tuple[str, ...], ...]) -> KeyPointMatcher:
    matcher = KeyPointMatcher(len(key_points))
    for index, alternatives in enumerate(key_points):
        for alternative in alternatives:
            matcher.add_alternative(index, alternative)
    return matcher


def compile_key_points(alternatives: Sequence[Sequence[str]]) -> KeyPointMatcher:
    """A matcher for key points given as their alternatives; cached, so compiling the same
    key points again is free."""
    return _compiled(tuple(tuple(a) for a in alternatives))


def match_key_points(
    transcript: str,
    key_points: Sequence[tuple[str, Sequence[str]]],
    tokens: Sequence[Token] | None = None,
) -> list[KeyPointResult]:
    """``(label, alternatives)`` pairs scored against ``transcript``."""
    matcher = compile_key_points([alts for _, alts in key_points])
    if tokens is None:
        tokens = tokenize(transcript)
    found = matcher.match(tokens)
    results: list[KeyPointResult] = []
    for (label, _), match in zip(key_points, found, strict=True):
        if match is None:
            results.append(KeyPointResult(label, met=False))
        else:
            evidence = Evidence(match.start, match.end, transcript[match.start : match.end])
            results.append(KeyPointResult(label, True, match.alternative, evidence))
    return results
