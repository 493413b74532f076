"""Word lists scoring relies on, kept apart from the code that uses them.

All entries are in normalised form (see ``normalize``): lower case, no apostrophes,
contractions expanded ("don't" -> "do not"), numbers as digits.
"""

from __future__ import annotations

import re
from functools import lru_cache


def words(text: str) -> tuple[str, ...]:
    """The whitespace-separated words of ``text``: keeps long word lists readable."""
    return tuple(text.split())


# Function words that carry no content on their own. Deliberately missing: negations
# ("not", "no", "never", "nor", "without") and comparatives ("more", "less", "fewer"),
# which flip what a key point says, and numbers.
STOPWORDS: frozenset[str] = frozenset(
    words(
        """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    either else even ever every for from further had has have having he her here hers
    herself him himself his how i if in into is it its itself just let lets me my
    myself of off on once only or other our ours ourselves out over own same she should so
    some such than that thats the their theirs them themselves then there theres these they
    this those through to too under until up upon very was we were what whats when where
    which while who whom whose why will with would you your yours yourself yourselves
    well really quite rather much many may might must shall us via per whether yet still
    though although unless since etc ok okay yes yeah oh
    """
    )
)

NEGATIONS: frozenset[str] = frozenset(words("not no never without nor neither none"))
# Negations that turn around the words right after them ("does not look up"), unlike a
# bare "no" answering the question ("No, retrieval looks up ...").
NEGATE_NEXT: frozenset[str] = frozenset(words("not never without"))

# Sounds that are hesitations whatever surrounds them, mapped to how they are reported.
_FILLER_SOUNDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"u+m+|e+r+m+|h+m+|m{2,}"), "um"),
    (re.compile(r"u+h+|e+r|a+h+|e+h+"), "uh"),
)


@lru_cache(maxsize=8192)
def filler_sound(word: str) -> str | None:
    """``"um"`` or ``"uh"`` when ``word`` is a hesitation sound (umm, erm, hmm, er, ah...)."""
    for pattern, name in _FILLER_SOUNDS:
        if pattern.fullmatch(word):
            return name
    return None


# Contractions whose meaning matters are spelled out so "doesn't" and "does not" agree,
# also when the apostrophe was lost ("dont").
CONTRACTIONS: dict[str, tuple[str, ...]] = {
    "cant": ("can", "not"),
    "cannot": ("can", "not"),
    "wont": ("will", "not"),
    "shant": ("shall", "not"),
    "aint": ("is", "not"),
    "dont": ("do", "not"),
    "doesnt": ("does", "not"),
    "didnt": ("did", "not"),
    "isnt": ("is", "not"),
    "arent": ("are", "not"),
    "wasnt": ("was", "not"),
    "werent": ("were", "not"),
    "havent": ("have", "not"),
    "hasnt": ("has", "not"),
    "hadnt": ("had", "not"),
    "wouldnt": ("would", "not"),
    "shouldnt": ("should", "not"),
    "couldnt": ("could", "not"),
    "mustnt": ("must", "not"),
    "neednt": ("need", "not"),
    "im": ("i", "am"),
    "youre": ("you", "are"),
    "theyre": ("they", "are"),
    "ive": ("i", "have"),
    "youve": ("you", "have"),
    "weve": ("we", "have"),
    "theyve": ("they", "have"),
    "itll": ("it", "will"),
    "youll": ("you", "will"),
    "theyll": ("they", "will"),
    "youd": ("you", "would"),
    "theyd": ("they", "would"),
}
# Suffixes after an apostrophe that are spelled out; "'s" is dropped into the word
# instead ("it's" -> "its", "model's" -> "models") because it may mean is, has or of.
APOSTROPHE_SUFFIXES: dict[str, str] = {
    "re": "are",
    "ve": "have",
    "ll": "will",
    "d": "would",
    "m": "am",
}

# Directions a claim can take, in plain English: each axis lists the words that point one
# way (+1) and the words that point the other (-1), compared by stem. "fine-tuning
# changes the model" and "fine-tuning leaves the model untouched" sit on one axis with
# opposite signs; "does not change" is turned around by its negation. Deck-specific words
# (which options a deck weighs, its acronyms) belong in the deck's glossary instead.
AXES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "change": (
        words(
            "change changes changed changing alter alters altered modify modifies modified"
            " rewire rewires rewired rewrite rewrites update updates updated updating"
            " refresh refreshes refreshed refreshing reload reloads reloaded"
        ),
        words(
            "stay stays stayed same unchanged untouched intact frozen fixed static stable leave"
            " leaves left alone"
        ),
    ),
    "amount": (
        words(
            "more most increase increases increased higher bigger larger grow grows add adds extra"
        ),
        words(
            "less least fewer decrease decreases decreased lower smaller reduce reduces"
            " reduced cut cuts shrink shrinks"
        ),
    ),
    "speed": (
        words("fast faster fastest quick quicker quickly instant instantly immediate immediately"),
        words("slow slower slowest slowly delay delayed delays later lag lags"),
    ),
    "cost": (
        words("cheap cheaper cheapest inexpensive affordable free save saves saving"),
        words("expensive costly costlier pricey"),
    ),
    "freshness": (
        words("current fresh latest new newest recent live"),
        words("stale outdated obsolete old older"),
    ),
    "difficulty": (
        words("easy easier simple simpler straightforward trivial"),
        words("hard harder difficult complex complicated tricky painful"),
    ),
    "frequency": (
        words("always often frequently constantly"),
        words("rarely seldom occasionally once"),
    ),
    "quality": (
        words(
            "better best improve improves improved accurate reliable reliably consistent"
            " consistently safe safer"
        ),
        words(
            "worse worst degrade degrades degraded inaccurate unreliable inconsistent"
            " risky riskier unsafe wrong mistake mistakes error errors hurt hurts harm harms"
            " damage damages poor bad"
        ),
    ),
    "size": (
        words("short shorter shortest small tiny narrow"),
        words("long longer longest large huge big broad wide"),
    ),
    "need": (
        words("need needs needed require requires required must"),
        words("optional unnecessary skip skips avoid avoids"),
    ),
}

# Phrases that say what one axis word says, rewritten to it (same length, so word
# positions hold) before a claim is read. Not "dated" itself in an axis: by stem it is
# "date", which "up to date" and "the release date" also have.
AXIS_PHRASES: dict[tuple[str, ...], tuple[str, ...]] = {
    ("up", "to", "date"): ("up", "to", "current"),
    ("out", "of", "date"): ("out", "of", "outdated"),
}

# Things people say that answer nothing: a piece of an answer that is at least as close to
# one of these as to a key point is talk around the point, not the point. (General
# conversation, written for this list; no deck's wording.)
NON_ANSWERS: tuple[str, ...] = (
    "it depends on a lot of things",
    "there are many factors to consider",
    "we should talk about it with the team",
    "let me think about that for a second",
    "that is a really good question",
    "I am not completely sure about this",
    "we can look into it later",
    "it is hard to say right now",
    "there are pros and cons to everything",
    "we will figure it out as we go",
    "things change all the time",
    "I would have to check and get back to you",
    "it really comes down to what you want",
    "we have done this kind of thing before",
    "the weather has been nice this week",
    "the team had a good game last night",
)

# Which side of an axis is the good one (+1: its first list), 0 where neither is.
GOOD_SIDE: dict[str, int] = {
    "change": 0,
    "amount": 0,
    "speed": 1,
    "cost": 1,
    "freshness": 1,
    "difficulty": 1,
    "frequency": 0,
    "quality": 1,
    "size": 0,
    "need": 0,
}

# Filler phrases, in the form they are reported, with their normalised tokens.
FILLER_PHRASES: dict[str, tuple[str, ...]] = {
    "you know": ("you", "know"),
    "I mean": ("i", "mean"),
    # "kind of" and "sort of" are hedges ("it kind of works"), counted once, as hedges.
    "basically": ("basically",),
    "actually": ("actually",),
    "like": ("like",),
}

HEDGE_PHRASES: dict[str, tuple[str, ...]] = {
    "I think": ("i", "think"),
    "I guess": ("i", "guess"),
    "I'm not sure": ("i", "am", "not", "sure"),
    "maybe": ("maybe",),
    "probably": ("probably",),
    "perhaps": ("perhaps",),
    "might": ("might",),
    "sort of": ("sort", "of"),
    "kind of": ("kind", "of"),
}
