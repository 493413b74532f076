"""Decide which key points an answer says, and where.

A key point is met when any one of its alternatives is found in the transcript. An
alternative is matched as its words in order, tolerating what speech and paraphrase do:

- word forms: words compare by Snowball stem ("retrieving" meets "retrieval");
- compounds: "finetuning" meets "fine tuning" and the other way round;
- misrecognised words: close spelling (rapidfuzz ratio, see ``fuzzy_min``; numbers and words
  of three letters or fewer must be exact), equal Metaphone codes ("vector" heard as
  "victor") or a known mishearing of an acronym ("AI" as "eye");
- small gaps: up to ``MAX_GAP`` extra content words between two phrase words, and a few in
  all (``chains.budget``);
- dropped words: stopwords are ignored in alternatives of 2+ content words, and one of 4+
  content words is met when at least 75% of them are present (``chains.required``), but
  never without its numbers and negations.

To keep unrelated answers from scoring: an alternative of one content word must also have
(half of) its stopwords in place, so "use both" does not match every "use"; at
least half of the words a match relies on must be exact (same word, stem or compound); a
one-word alternative must be exact or a close spelling of a long word; and an alternative
made only of stopwords never matches. A negation just before or inside a match that the
alternative does not have ("does not look up the latest documents") cancels it.

Key points are compiled once per distinct set (cached), and a transcript is compared
against all their words at once, so scoring stays within a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

import jellyfish
import numpy as np
from rapidfuzz import fuzz, process

from app.model.deckdata import Glossary, KeyPoint
from app.scoring.chains import Hits, Negations, Phrase, best_chain
from app.scoring.lexicon import (
    NEGATE_NEXT,
    NEGATIONS,
    STOPWORDS,
    filler_sound,
)
from app.scoring.matchers import Answer, PointMatch
from app.scoring.normalize import Token, normalize_text, stems, tokenize
from app.scoring.types import Evidence, KeyPointResult
from app.scoring.windows import Window

# What a phonetic-only match is worth (exact is 1.0, a close spelling its ratio / 100).
PHONETIC_QUALITY = 0.8
# Phonetic twins must still look a bit alike: "rack" for "rag" (57), not "today" for "data".
PHONETIC_MIN_RATIO = 55
# Close spellings compared by stem must be closer than by word: stems are short and lose
# the ending that tells "latency" from "latent".
STEM_FUZZY_MIN = 85


def fuzzy_min(word: str) -> int:
    """Lowest rapidfuzz ratio at which a heard word counts as ``word``; 0 = exact only.
    One wrong letter costs a 5-letter word 20 points, a swapped pair in "retrieval" 11."""
    if not word.isalpha() or len(word) <= 3:
        return 0
    if len(word) <= 5:
        return 85
    if len(word) <= 8:
        return 80
    return 78


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
    tolerant: bool = False  # may be met by a close spelling or a sound-alike
    fuzzy_min: int = 0
    phonetic: str | None = None


class _FuzzyTable(NamedTuple):
    """The tolerant units laid out for ``rapidfuzz.process.cdist``."""

    words: list[str]
    stems: list[str]
    mins: np.ndarray[Any, np.dtype[np.float32]]  # per unit, as a column
    cutoff: float


# A deck's acronyms and mishearings in normalised form: (("rag", ("retrieval", ...)), ...)
Acronyms = tuple[tuple[str, tuple[str, ...]], ...]
HeardAs = tuple[tuple[str, tuple[str, ...]], ...]


@dataclass
class KeyPointMatcher:
    """Key points compiled for matching. Build with ``compile_key_points``."""

    n_key_points: int
    acronyms: Acronyms = ()
    heard_as: dict[str, tuple[str, ...]] = field(default_factory=dict)
    phrases: list[Phrase] = field(default_factory=list)
    units: list[_Unit] = field(default_factory=list)
    by_word: dict[str, int] = field(default_factory=dict)
    by_stem: dict[str, list[int]] = field(default_factory=dict)
    by_phonetic: dict[str, list[int]] = field(default_factory=dict)
    by_heard_as: dict[str, list[int]] = field(default_factory=dict)
    fuzzy_ids: list[int] = field(default_factory=list)
    _table: _FuzzyTable | None = None

    def add_alternative(self, key_point: int, alternative: str) -> None:
        words = [t.text for t in tokenize(alternative) if filler_sound(t.text) is None]
        for variant in _acronym_variants(words, self.acronyms):
            content = tuple(w not in STOPWORDS for w in variant)
            if not any(content):
                continue  # only stopwords: would match any answer
            units = tuple(self._unit(w, tolerant=c) for w, c in zip(variant, content, strict=True))
            joins = tuple(
                self._unit(w + variant[j + 1], tolerant=False)
                if content[j] and j + 1 < len(variant) and content[j + 1]
                else None
                for j, w in enumerate(variant)
            )
            longest = max(len(w) for w, c in zip(variant, content, strict=True) if c)
            critical = tuple(w in NEGATIONS or w[:1].isdigit() for w in variant)
            negated = any(w in NEGATIONS for w in variant)
            self.phrases.append(
                Phrase.build(
                    key_point, alternative, units, content, joins, longest, critical, negated
                )
            )

    def _unit(self, word: str, *, tolerant: bool) -> int:
        """The unit for ``word``, added on first use. Only content words that some
        alternative uses on their own are matched by close spelling or sound; stopwords
        and compounds ("finetuning" from "fine tuning") must be exact."""
        uid = self.by_word.get(word)
        if uid is None:
            uid = len(self.units)
            self.units.append(_Unit(word, stems([word])[0]))
            self.by_word[word] = uid
            self.by_stem.setdefault(self.units[uid].stem, []).append(uid)
        unit = self.units[uid]
        if tolerant and not unit.tolerant:
            unit.tolerant = True
            unit.fuzzy_min = fuzzy_min(word)
            unit.phonetic = _metaphone(word)
            if unit.phonetic is not None:
                self.by_phonetic.setdefault(unit.phonetic, []).append(uid)
            for heard in self.heard_as.get(word, ()):
                self.by_heard_as.setdefault(heard, []).append(uid)
            if unit.fuzzy_min:
                self.fuzzy_ids.append(uid)
        return uid

    def match(self, tokens: Sequence[Token]) -> list[KeyPointMatch | None]:
        """The best match of each key point among a transcript's ``tokens`` (None where
        not met)."""
        stream = [i for i, t in enumerate(tokens) if filler_sound(t.text) is None]
        words = [tokens[i].text for i in stream]
        content_prefix = [0]
        negation_prefix = [0]
        for w in words:
            content_prefix.append(content_prefix[-1] + (w not in STOPWORDS))
            negation_prefix.append(negation_prefix[-1] + (w in NEGATIONS))
        negations = Negations(negation_prefix, [w in NEGATE_NEXT for w in words])
        hits = self._hits(words, stream)
        best: list[KeyPointMatch | None] = [None] * self.n_key_points
        for phrase in self.phrases:
            found = best[phrase.key_point]
            if found is not None and found.score >= 1.0:
                continue  # already met word for word: no alternative can do better
            # A negation just before or inside a match that the alternative does not
            # have ("retrieval does not keep answers current") turns it around.
            chain = best_chain(phrase, hits, content_prefix, None if phrase.negated else negations)
            if chain is None:
                continue
            score = chain.quality / phrase.k
            current = best[phrase.key_point]
            if current is None or score > current.score:
                start = tokens[stream[chain.first.p0]].start
                end = tokens[stream[chain.last.p1]].end
                best[phrase.key_point] = KeyPointMatch(phrase.alternative, start, end, score)
        return best

    def _hits(self, words: list[str], stream: list[int]) -> Hits:
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
            if word in STOPWORDS:
                continue  # a heard stopword is taken at its word
            for uid in self.by_phonetic.get(_metaphone(word) or "", ()):
                if (
                    uid not in found
                    and fuzz.ratio(word, self.units[uid].word) >= PHONETIC_MIN_RATIO
                ):
                    found[uid] = PHONETIC_QUALITY
            for uid in self.by_heard_as.get(word, ()):
                found.setdefault(uid, PHONETIC_QUALITY)
        self._close_spellings(distinct, distinct_stems, per_word)

        hits: Hits = {}
        for p, word in enumerate(words):
            for uid, quality in per_word[word].items():
                hits.setdefault(uid, []).append((p, p, quality))
        # A compound heard as two words: "fine tuning" for "finetuning".
        pairs = [
            p
            for p in range(len(words) - 1)
            if stream[p + 1] == stream[p] + 1
            and words[p] not in STOPWORDS
            and words[p + 1] not in STOPWORDS
        ]
        joined = [words[p] + words[p + 1] for p in pairs]
        for p, word, stem in zip(pairs, joined, stems(joined), strict=True):
            uids = set(self.by_stem.get(stem, ()))
            if word in self.by_word:
                uids.add(self.by_word[word])
            for uid in uids:
                hits.setdefault(uid, []).append((p, p + 1, 1.0))
        return hits

    def _fuzzy_table(self) -> _FuzzyTable:
        if self._table is None or len(self._table.words) != len(self.fuzzy_ids):
            units = [self.units[u] for u in self.fuzzy_ids]
            mins = [u.fuzzy_min for u in units]
            self._table = _FuzzyTable(
                [u.word for u in units],
                [u.stem for u in units],
                np.array(mins, dtype=np.float32)[:, None],
                float(min(mins)),
            )
        return self._table

    def _close_spellings(
        self,
        distinct: list[str],
        distinct_stems: list[str],
        per_word: dict[str, dict[int, float]],
    ) -> None:
        """Fuzzy matches of all heard words against all tolerant units at once."""
        choices = [
            i for i, w in enumerate(distinct) if len(w) > 3 and w.isalpha() and w not in STOPWORDS
        ]
        if not choices or not self.fuzzy_ids:
            return
        table = self._fuzzy_table()
        by_word = process.cdist(
            table.words,
            [distinct[i] for i in choices],
            scorer=fuzz.ratio,
            score_cutoff=table.cutoff,
        )
        by_stem = process.cdist(
            table.stems,
            [distinct_stems[i] for i in choices],
            scorer=fuzz.ratio,
            score_cutoff=STEM_FUZZY_MIN,
        )
        scores = np.maximum(np.where(by_word >= table.mins, by_word, 0), by_stem)
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


def _acronym_variants(words: list[str], acronyms: Acronyms) -> list[list[str]]:
    """The alternative as written plus, for an acronym of the deck, its other form
    ("rag" <-> "retrieval augmented generation")."""
    variants = [words]
    for short, long in acronyms:
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


@lru_cache(maxsize=128)
def _compiled(
    key_points: tuple[tuple[str, ...], ...], acronyms: Acronyms, heard_as: HeardAs
) -> KeyPointMatcher:
    matcher = KeyPointMatcher(len(key_points), acronyms, dict(heard_as))
    for index, alternatives in enumerate(key_points):
        for alternative in alternatives:
            matcher.add_alternative(index, alternative)
    return matcher


def compile_key_points(
    alternatives: Sequence[Sequence[str]], glossary: Glossary | None = None
) -> KeyPointMatcher:
    """A matcher for key points given as their alternatives, with the deck's acronyms
    and mishearings. Cached: compiling the same key points again costs a dictionary
    look-up. The result must not be modified."""
    acronyms, heard_as = _normalised_glossary(glossary or Glossary())
    return _compiled(tuple(tuple(a) for a in alternatives), acronyms, heard_as)


def _normalised_glossary(glossary: Glossary) -> tuple[Acronyms, HeardAs]:
    def words(text: str) -> tuple[str, ...]:
        return tuple(t.text for t in tokenize(text))

    acronyms = tuple(
        (short[0], long)
        for short, long in ((words(k), words(v)) for k, v in glossary.acronyms.items())
        if len(short) == 1 and long
    )
    # Each mishearing is one normalised word: how the recogniser writes the term.
    heard: dict[str, list[str]] = {}
    for term, heard_forms in glossary.heard_as.items():
        key = words(term)
        if len(key) == 1:
            heard.setdefault(key[0], []).extend(w for f in heard_forms for w in words(f)[:1])
    return acronyms, tuple((k, tuple(v)) for k, v in heard.items())


class CompiledLexical:
    """The phrase matcher behind the ``matchers`` interface."""

    name = "phrase"

    def __init__(self, key_points: Sequence[KeyPoint], glossary: Glossary) -> None:
        self._matcher = compile_key_points([kp.texts() for kp in key_points], glossary)
        self._rejected = [{normalize_text(r) for r in kp.rejected} for kp in key_points]

    def match(self, answer: Answer) -> list[PointMatch]:
        found = self._matcher.match(answer.tokens)
        out = []
        for match, rejected in zip(found, self._rejected, strict=True):
            window = None if match is None else _window_of(answer, match.start, match.end)
            if window is None or match is None or normalize_text(window.text) in rejected:
                out.append(PointMatch(0.0, method=self.name))
            else:
                out.append(PointMatch(min(1.0, match.score), window, match.alternative, self.name))
        return out


class LexicalMatcher:
    name = "phrase"

    def compile(self, key_points: Sequence[KeyPoint], glossary: Glossary) -> CompiledLexical:
        return CompiledLexical(key_points, glossary)


def _window_of(answer: Answer, start: int, end: int) -> Window | None:
    inside = [i for i, t in enumerate(answer.tokens) if t.start >= start and t.end <= end]
    if not inside:
        return None
    first, last = inside[0], inside[-1]
    return Window(first, last, start, end, answer.text[start:end])


def match_key_points(
    transcript: str,
    key_points: Sequence[tuple[str, Sequence[str]]],
    tokens: Sequence[Token] | None = None,
    glossary: Glossary | None = None,
) -> list[KeyPointResult]:
    """The phrase matcher alone: ``(label, alternatives)`` pairs found in ``transcript``."""
    matcher = compile_key_points([alts for _, alts in key_points], glossary)
    found = matcher.match(tokenize(transcript) if tokens is None else tokens)
    results: list[KeyPointResult] = []
    for (label, _), match in zip(key_points, found, strict=True):
        if match is None:
            results.append(KeyPointResult(label, met=False))
        else:
            evidence = Evidence(match.start, match.end, transcript[match.start : match.end])
            results.append(
                KeyPointResult(
                    label, True, match.alternative, evidence, "met", match.score, "phrase"
                )
            )
    return results
