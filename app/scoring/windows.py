"""Pieces of an answer to compare with key points, cut at token offsets.

A key point is usually said in a few words inside a longer sentence, and a sentence can
make two points; so an answer is compared piece by piece: each sentence, overlapping
runs of words inside it, and its clauses. Every piece keeps its character span in the
original transcript, so the evidence of a match can be highlighted in what was said.

Clauses are also where claims are read (``claims``): a sentence such as "retrieval looks
facts up, while fine-tuning changes the model" makes two claims about two subjects.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from app.scoring.lexicon import filler_sound
from app.scoring.normalize import Token

# Runs of this many words, each step this far apart: long enough to carry a claim,
# short enough that one point does not drown in the rest of a long sentence.
RUNS = ((8, 3), (14, 5))
# A sentence this short is compared whole, not cut into runs.
WHOLE_SENTENCE = 16
# Clauses shorter than this say too little to stand on their own.
MIN_CLAUSE = 4
_SENTENCE_END = re.compile(r"[.!?;]+")
_CLAUSE_BREAK = re.compile(r"[,:()\u2014\u2013]|\s-\s")
# Words that open a new clause inside a sentence.
CLAUSE_OPENERS = frozenset(
    [
        "but",
        "because",
        "while",
        "whereas",
        "although",
        "though",
        "so",
        "which",
        "unless",
        "since",
        "then",
        "instead",
    ]
)


@dataclass(frozen=True)
class Window:
    """``first``..``last`` are token indices (inclusive); ``start``..``end`` the span of
    the transcript they come from."""

    first: int
    last: int
    start: int
    end: int
    text: str


def sentences(transcript: str, tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """Token ranges (first, last) of the sentences, split at ., !, ? and ;."""
    ranges: list[tuple[int, int]] = []
    first = 0
    for i in range(len(tokens)):
        following = transcript[tokens[i].end : tokens[i + 1].start] if i + 1 < len(tokens) else ""
        if i + 1 == len(tokens) or _SENTENCE_END.search(following):
            ranges.append((first, i))
            first = i + 1
    return ranges


def clauses(transcript: str, tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """Token ranges of the clauses: sentences split again at commas, dashes, colons and
    words such as "but", "while", "because"; "and" splits only after a comma."""
    out: list[tuple[int, int]] = []
    for first, last in sentences(transcript, tokens):
        start = first
        for i in range(first + 1, last + 1):
            between = transcript[tokens[i - 1].end : tokens[i].start]
            if _CLAUSE_BREAK.search(between) or tokens[i].text in CLAUSE_OPENERS:
                out.append((start, i - 1))
                start = i
        out.append((start, last))
    return out


def answer_windows(transcript: str, tokens: Sequence[Token]) -> list[Window]:
    """The pieces of the answer worth comparing, without duplicates."""
    spoken = [i for i, t in enumerate(tokens) if filler_sound(t.text) is None]
    if not spoken:
        return []
    ranges: list[tuple[int, int]] = []
    for first, last in sentences(transcript, tokens):
        n = last - first + 1
        ranges.append((first, last))
        if n > WHOLE_SENTENCE:
            for size, step in RUNS:
                starts = list(range(first, last - size + 2, step))
                if starts and starts[-1] + size - 1 < last:
                    starts.append(last - size + 1)
                ranges += [(s, s + size - 1) for s in starts]
    ranges += [r for r in clauses(transcript, tokens) if r[1] - r[0] + 1 >= MIN_CLAUSE]
    seen: set[tuple[int, int]] = set()
    windows = []
    for first, last in ranges:
        if (first, last) in seen:
            continue
        seen.add((first, last))
        start, end = tokens[first].start, tokens[last].end
        windows.append(Window(first, last, start, end, transcript[start:end]))
    return windows


def clause_of(window: Window, clause_ranges: Sequence[tuple[int, int]]) -> tuple[int, int]:
    """The clause holding the middle of ``window``: where its claim is read."""
    middle = (window.first + window.last) // 2
    for first, last in clause_ranges:
        if first <= middle <= last:
            return first, last
    return window.first, window.last
