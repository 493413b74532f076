"""How an answer was said: pace, fillers, hedges and long pauses.

Fillers and hedges are found in the normalised transcript with a little context, because
the same words are often not fillers: "I'd like to", "looks like", "tools like retrieval",
"what kind of model", "do you know the cost" are all left alone. The rules prefer missing
a filler to blaming the user for one they did not use.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from itertools import pairwise

from app.model.words import TimedWord
from app.scoring.lexicon import FILLER_PHRASES, HEDGE_PHRASES, STOPWORDS, filler_sound, words
from app.scoring.normalize import Token, tokenize
from app.scoring.types import Delivery, Pause

LONG_PAUSE_S = 2.0
# Below this much speaking time a words-per-minute figure is noise.
MIN_SPAN_S = 1.0

# "like" after these is a verb or a comparison, not a filler.
_LIKE_VERB_BEFORE = frozenset(
    words(
        """
        would could should might may will do does did not really also i you we they he she
        people users customers who look looks looked looking feel feels felt feeling seem
        seems seemed sound sounds sounded something anything nothing everything things stuff
        just much more less exactly most
        """
    )
)
_LIKE_OBJECT_AFTER = frozenset(words("this that these those it them him her me us"))
_BE = frozenset(words("is its was are were be been being"))
_ARTICLES = frozenset(words("a an the"))
# "kind of"/"sort of" after these names a kind ("what kind of model"), it does not hedge.
# Not "its": normalised, that is mostly "it's kind of slow".
_KIND_NOUN_BEFORE = frozenset(
    words(
        """
        what which this that a an any the some every one each same another different these
        those no many all right wrong whatever your our my their his her other new main
        specific particular certain similar
        """
    )
)
_YOU_KNOW_LITERAL_BEFORE = frozenset(words("do did does not if as would whether"))
_YOU_KNOW_LITERAL_AFTER = frozenset(
    words(
        """
        that what how why when where whether if which who about the a an it this your them
        him her me us everything something
        """
    )
)
_I_MEAN_LITERAL_BEFORE = frozenset(words("what which that if do not"))
_I_MEAN_LITERAL_AFTER = frozenset(words("it that to what"))
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_CLAUSE_OPENERS = frozenset(words("so and but well um uh okay ok yeah"))


def analyse_delivery(
    transcript: str,
    words: Sequence[TimedWord] | None = None,
    duration_s: float | None = None,
    tokens: Sequence[Token] | None = None,
) -> Delivery:
    """Delivery of an answer. Pace comes from the word timings when there are any
    (words over the time from the first word's start to the last one's end), else from
    the transcript's word count over ``duration_s``."""
    timed = _real_words(words or ())
    if not transcript.strip() and timed:
        transcript = " ".join(w.word for w in timed)
        tokens = None
    if tokens is None:
        tokens = tokenize(transcript)
    if duration_s is None and timed:
        duration_s = max(w.end for w in timed)

    span = (timed[-1].end - timed[0].start) if timed else 0.0
    wpm: float | None = None
    if span >= MIN_SPAN_S:
        wpm = len(timed) / span * 60
    elif duration_s:
        wpm = len(_WORD.findall(transcript)) / duration_s * 60

    fillers = count_fillers(transcript, tokens)
    minutes = (duration_s or span) / 60
    per_minute = sum(fillers.values()) / minutes if minutes > 0 else None
    return Delivery(
        duration_s=duration_s,
        wpm=wpm,
        fillers=fillers,
        fillers_per_minute=per_minute,
        long_pauses=long_pauses(timed),
        hedges=count_hedges(tokens),
    )


def _real_words(words: Sequence[TimedWord]) -> list[TimedWord]:
    """Timed words without recogniser markers ("<sil>", "[noise]", "<s>"), by start."""
    kept = [w for w in words if _WORD.search(w.word) and w.word.strip()[:1] not in "<[("]
    return sorted(kept, key=lambda w: w.start)


def long_pauses(words: Sequence[TimedWord], threshold_s: float = LONG_PAUSE_S) -> tuple[Pause, ...]:
    """Silences longer than ``threshold_s`` between consecutive words."""
    timed = _real_words(words)
    return tuple(
        Pause(a.end, b.start - a.end) for a, b in pairwise(timed) if b.start - a.end > threshold_s
    )


def _by_first_word(phrases: dict[str, tuple[str, ...]]) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for name, phrase in phrases.items():
        index.setdefault(phrase[0], []).append(name)
    return index


_FILLERS_BY_FIRST = _by_first_word(FILLER_PHRASES)
_HEDGES_BY_FIRST = _by_first_word(HEDGE_PHRASES)


def count_fillers(transcript: str, tokens: Sequence[Token] | None = None) -> dict[str, int]:
    """Filler words and phrases said, as ``{"um": 2, "like": 1}`` (only those present)."""
    if tokens is None:
        tokens = tokenize(transcript)
    counts: dict[str, int] = {}
    for name, _first, _count in fillers(transcript, tokens):
        counts[name] = counts.get(name, 0) + 1
    return counts


def filler_positions(transcript: str, tokens: Sequence[Token]) -> frozenset[int]:
    """The indices of the tokens that are fillers where they stand."""
    return frozenset(
        i
        for _name, first, count in fillers(transcript, tokens)
        for i in range(first, first + count)
    )


def fillers(transcript: str, tokens: Sequence[Token]) -> Iterator[tuple[str, int, int]]:
    """Each filler said: its name, the index of its first token and how many it has."""
    texts = [t.text for t in tokens]
    for i, text in enumerate(texts):
        sound = filler_sound(text)
        if sound is not None:
            yield sound, i, 1
            continue
        for name in _FILLERS_BY_FIRST.get(text, ()):
            phrase = FILLER_PHRASES[name]
            if _at(texts, i, phrase) and _is_filler(name, transcript, tokens, texts, i):
                yield name, i, len(phrase)


def count_hedges(tokens: Sequence[Token]) -> dict[str, int]:
    """Hedging phrases said, as ``{"I think": 1, "maybe": 2}`` (only those present)."""
    texts = [t.text for t in tokens]
    counts: dict[str, int] = {}
    for i, text in enumerate(texts):
        for name in _HEDGES_BY_FIRST.get(text, ()):
            phrase = HEDGE_PHRASES[name]
            if not _at(texts, i, phrase):
                continue
            if phrase[1:] == ("of",) and not _hedging_kind_of(texts, i):
                continue
            counts[name] = counts.get(name, 0) + 1
    return counts


def _at(texts: list[str], i: int, phrase: tuple[str, ...]) -> bool:
    return tuple(texts[i : i + len(phrase)]) == phrase


def _is_filler(
    name: str, transcript: str, tokens: Sequence[Token], texts: list[str], i: int
) -> bool:
    n = len(FILLER_PHRASES[name])
    prev = texts[i - 1] if i > 0 else ""
    after = texts[i + n] if i + n < len(texts) else ""
    # Set off by a comma ("it's, like, slow" / "I mean, ...") it is a filler whatever the
    # words around it.
    if transcript[tokens[i + n - 1].end : tokens[i + n - 1].end + 1] == ",":
        return True
    if name == "like":
        if prev in _LIKE_VERB_BEFORE or after in _LIKE_OBJECT_AFTER:
            return False
        if prev in _BE and after in _ARTICLES:
            return False  # "it is like a library": a comparison
        # "tools like retrieval": between two content words it means "such as".
        return not (_content(prev) and _content(after))
    if name in ("actually", "basically"):
        # Opening a clause ("So basically we...", "Actually, ...") they fill; inside one
        # ("it actually changes the model") they carry meaning.
        before = transcript[: tokens[i].start].rstrip()
        return not before or before[-1] in ".,;:!?—-" or prev in _CLAUSE_OPENERS
    if name == "you know":
        return prev not in _YOU_KNOW_LITERAL_BEFORE and after not in _YOU_KNOW_LITERAL_AFTER
    if name == "I mean":
        return prev not in _I_MEAN_LITERAL_BEFORE and after not in _I_MEAN_LITERAL_AFTER
    return True


def _content(word: str) -> bool:
    return (
        bool(word)
        and word not in STOPWORDS
        and filler_sound(word) is None
        and (word not in ("basically", "actually", "like"))
    )


def _hedging_kind_of(texts: list[str], i: int) -> bool:
    prev = texts[i - 1] if i > 0 else ""
    return prev not in _KIND_NOUN_BEFORE and not prev[:1].isdigit()
