"""Find the best in-order occurrence of one alternative among a transcript's word hits.

A small dynamic programme: each candidate is a phrase word (or a compound of two) found at
a transcript position; a chain links candidates in order on both sides while the words in
between stay within the gap rules. The best chain is the one covering the most phrase
words, then with the best match quality, then with the fewest extra words.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

MAX_GAP = 2  # extra content words allowed between two consecutive phrase words
# A one-word alternative may only be met by a close spelling when the word is this long
# and this close (rapidfuzz ratio): "retreival" for "retrieval" (89) but not "latent" for
# "latency".
SINGLE_WORD_FUZZY_LEN = 6
SINGLE_WORD_FUZZY_MIN = 0.85

# unit id -> (first, last stream position, quality) of each place a transcript says it
Hits = dict[int, list[tuple[int, int, float]]]


def required(k: int) -> int:
    """Content words that must be present: all of up to 3, then at least 75%."""
    return k if k <= 3 else math.ceil(0.75 * k)


def budget(k: int) -> int:
    """Extra content words allowed inside a match, in all."""
    return 1 if k <= 3 else 2 if k <= 5 else 3


@dataclass(frozen=True)
class Phrase:
    """One alternative (or an acronym variant of it), compiled. Build with ``build``."""

    key_point: int
    alternative: str  # as the deck wrote it
    units: tuple[int, ...]  # per token
    content: tuple[bool, ...]  # per token: not a stopword
    # joins[j]: unit of tokens j and j+1 written as one word ("finetuning"), when both
    # are content words.
    joins: tuple[int | None, ...]
    longest: int  # length of the longest content word
    # per token: a number or negation, which a match may not drop ("5x", "not")
    critical: tuple[bool, ...]
    negated: bool  # says "not", "no", "never"...
    # Derived once, because every transcript is compared with every phrase:
    k: int  # content words
    need: int  # content words a match must have
    allowed: int  # extra content words a match may have in all
    stop_required: int
    raw_gap: int  # extra words of any kind allowed between two consecutive phrase words
    prefix: tuple[int, ...]  # prefix[j]: content words among tokens before j
    slots: tuple[tuple[int, int | None], ...]  # (unit, join) of each content word
    n_critical: int

    @classmethod
    def build(
        cls,
        key_point: int,
        alternative: str,
        units: tuple[int, ...],
        content: tuple[bool, ...],
        joins: tuple[int | None, ...],
        longest: int,
        critical: tuple[bool, ...],
        negated: bool,
    ) -> Phrase:
        k = sum(content)
        # An alternative of one content word is matched with its stopwords ("use both",
        # "look them up"); without them it would be any use of a common word.
        stop_required = math.ceil((len(units) - k) / 2) if k == 1 else 0
        prefix = [0]
        for is_content in content:
            prefix.append(prefix[-1] + is_content)
        slots = tuple((u, joins[j]) for j, u in enumerate(units) if content[j])
        return cls(
            key_point,
            alternative,
            units,
            content,
            joins,
            longest,
            critical,
            negated,
            k=k,
            need=required(k),
            allowed=budget(k),
            stop_required=stop_required,
            raw_gap=1 if k == 1 else 2 if k == 2 else 3,
            prefix=tuple(prefix),
            slots=slots,
            n_critical=sum(critical),
        )


class Candidate(NamedTuple):
    j0: int  # phrase tokens covered, inclusive
    j1: int
    p0: int  # transcript stream positions covered, inclusive
    p1: int
    quality: float
    content: int  # content words among j0..j1
    stop: int
    critical: int


@dataclass
class Chain:
    content: int
    stop: int
    quality: float
    exact: int
    critical: int
    extra: int
    first: Candidate
    last: Candidate

    def rank(self) -> tuple[int, int, float, int, int]:
        return (self.content, self.critical, self.quality, self.stop, -self.extra)


class Negations(NamedTuple):
    """Where a transcript negates: ``prefix[p]`` counts negations among the first ``p``
    stream positions; ``before[p]`` says position ``p`` negates what follows it ("not",
    "never"; a bare "no" is often an answer to the question: "No, retrieval ...")."""

    prefix: Sequence[int]
    before: Sequence[bool]


def best_chain(
    phrase: Phrase,
    hits: Hits,
    content_prefix: Sequence[int],
    negations: Negations | None = None,
) -> Chain | None:
    """The best accepted chain for ``phrase``. ``content_prefix[p]`` is the number of
    content words among the first ``p`` stream positions; with ``negations``, a chain
    with a negation inside or just before it is refused."""
    need = phrase.need
    if _heard(phrase, hits) < need:
        return None
    cands = _candidates(phrase, hits)
    cands.sort(key=lambda c: (c.p0, c.j0))
    allowed = phrase.allowed
    raw_gap = phrase.raw_gap
    n = len(phrase.units)
    reach = n + raw_gap + 3
    max_span = n + 2 * allowed + 3
    phrase_prefix = phrase.prefix

    # chains[m][extra]: best chain ending at cands[m] having used ``extra`` gap words.
    chains: list[dict[int, Chain]] = []
    best: Chain | None = None
    for m, c in enumerate(cands):
        exact = c.content if c.quality >= 1.0 else 0
        ending = {0: Chain(c.content, c.stop, c.quality * c.content, exact, c.critical, 0, c, c)}
        for back in range(m - 1, -1, -1):
            prev = cands[back]
            if prev.p0 < c.p0 - reach:
                break
            if prev.j1 >= c.j0 or prev.p1 >= c.p0:
                continue
            if (c.p0 - prev.p1) - (c.j0 - prev.j1) > raw_gap:
                continue
            heard = content_prefix[c.p0] - content_prefix[prev.p1 + 1]
            skipped = phrase_prefix[c.j0] - phrase_prefix[prev.j1 + 1]
            extra = max(0, heard - skipped)
            if extra > MAX_GAP:
                continue
            for used, chain in chains[back].items():
                total = used + extra
                if total > allowed or c.p1 - chain.first.p0 + 1 > max_span:
                    continue
                grown = Chain(
                    chain.content + c.content,
                    chain.stop + c.stop,
                    chain.quality + c.quality * c.content,
                    chain.exact + exact,
                    chain.critical + c.critical,
                    total,
                    chain.first,
                    c,
                )
                held = ending.get(total)
                if held is None or grown.rank() > held.rank():
                    ending[total] = grown
        chains.append(ending)
        for chain in ending.values():
            if (
                (best is None or chain.rank() > best.rank())
                and _accepted(phrase, chain, need)
                and not _negated(chain, negations)
            ):
                best = chain
    return best


def _heard(phrase: Phrase, hits: Hits) -> int:
    """How many of the phrase's content words the transcript says anywhere: a cheap
    bound that rules out most phrases before any chain is built."""
    heard = 0
    joined_before = False  # the previous word's compound also covers this word
    for uid, join in phrase.slots:
        joined = join is not None and join in hits
        heard += uid in hits or joined or joined_before
        joined_before = joined
    return heard


def _candidates(phrase: Phrase, hits: Hits) -> list[Candidate]:
    cands: list[Candidate] = []
    for j, uid in enumerate(phrase.units):
        if not (phrase.content[j] or phrase.stop_required):
            continue  # longer alternatives are matched on content words only
        content = int(phrase.content[j])
        critical = int(phrase.critical[j])
        for p0, p1, q in hits.get(uid, ()):
            if content or q >= 1.0:
                cands.append(Candidate(j, j, p0, p1, q, content, 1 - content, critical))
        join = phrase.joins[j]
        if join is not None:
            both = critical + phrase.critical[j + 1]
            for p0, p1, q in hits.get(join, ()):
                cands.append(Candidate(j, j + 1, p0, p1, q, 2, 0, both))
    return cands


def _negated(chain: Chain, negations: Negations | None) -> bool:
    if negations is None:
        return False
    p0, p1 = chain.first.p0, chain.last.p1
    if p0 > 0 and negations.before[p0 - 1]:
        return True
    return negations.prefix[p1 + 1] > negations.prefix[p0]


def _accepted(phrase: Phrase, chain: Chain, need: int) -> bool:
    if chain.content < need or chain.stop < phrase.stop_required:
        return False
    if chain.critical < phrase.n_critical:
        return False
    if phrase.k == 1 and chain.exact == 0:
        return phrase.longest >= SINGLE_WORD_FUZZY_LEN and chain.quality >= SINGLE_WORD_FUZZY_MIN
    # At least half of the words a match relies on must be heard exactly: guesses
    # (fuzzy, phonetic) only fill in around solid evidence.
    return chain.exact >= max(1, math.ceil(chain.content / 2))
