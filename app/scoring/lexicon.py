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

# Acronyms that speakers and recognisers write out in full; either form meets the other.
ACRONYMS: dict[str, tuple[str, ...]] = {
    "rag": ("retrieval", "augmented", "generation"),
    "llm": ("large", "language", "model"),
    "llms": ("large", "language", "models"),
    "ai": ("artificial", "intelligence"),
    "ml": ("machine", "learning"),
}

# How recognisers write acronyms they hear as words: "the AI" comes out as "the eye".
# These count as misheard words (not exact), so they need exact words around them.
HEARD_AS: dict[str, tuple[str, ...]] = {
    "ai": ("eye",),
}

# Filler phrases, in the form they are reported, with their normalised tokens.
FILLER_PHRASES: dict[str, tuple[str, ...]] = {
    "you know": ("you", "know"),
    "I mean": ("i", "mean"),
    "sort of": ("sort", "of"),
    "kind of": ("kind", "of"),
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
