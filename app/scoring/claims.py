"""What a clause claims, read from its words: which option it is about, which way it
points, and its numbers; and whether an answer's clause turns a key point around.

Sentence similarity cannot tell "fine-tuning changes the model" from "retrieval changes
the model" or "fine-tuning leaves the model untouched": the words are the same. Three
lexical readings can:

- the subject: the first of the deck's options (its glossary) that a clause names;
- the direction: the axes of ``lexicon.AXES`` ("changes" +1, "untouched" -1), each turned
  around by a negation in the few words before it ("does not change" is -1);
- the numbers ("five times" against "two times").

A clause contradicts a key point when it names a different option than the point
(subject swapped) or points the other way on an axis they share (direction flipped), but
not both: "retrieval leaves the model untouched" agrees with "only fine-tuning changes
the model". Different numbers contradict whatever else agrees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from app.scoring.lexicon import AXES, AXIS_PHRASES, GOOD_SIDE, NEGATIONS, STOPWORDS
from app.scoring.lexicon import words as word_list
from app.scoring.normalize import stems, tokenize

# A negation turns around a word at most this many words on ("nothing about the model
# itself changes"); claims are read clause by clause, so this rarely reaches further.
NEGATION_REACH = 6
# Words that deny what follows them in a claim, beyond the plain negations; "rather
# than" and "instead of" deny what comes after them ("retrieval rather than training").
DENIALS = NEGATIONS | frozenset({"nothing", "nobody", "hardly", "barely"})
DENYING_PAIRS = frozenset({("rather", "than"), ("instead", "of")})
# What a clause says of an idea it dismisses: "shorter expiry times would not make any
# difference", "tracking ids would not help", "fixing the document won't change anything".
# These words deny the clause's idea as a whole, whatever it is about, so they hold for
# any deck; only right after a negation ("does not really matter").
FUTILE_WHEN_DENIED = frozenset(
    stems(
        word_list(
            "help helps helped matter matters mattered difference work works worked"
            " affect affects affected impact impacts"
        )
    )
)
DISMISSAL_REACH = 3
# "would not change anything", "does nothing": an act that achieves nothing. Not
# "anything" alone: "it does not cost anything" is praise.
FUTILE_ACTS = frozenset(stems(word_list("do does did change changes fix fixes solve solves")))
FUTILE = frozenset(stems(word_list("useless pointless futile ineffective")))


@dataclass(frozen=True)
class Claim:
    options: frozenset[int]  # indices of the deck's options the text names
    subject: int | None  # the first option named
    directions: tuple[tuple[str, int], ...]  # (axis, +1 or -1) in order of appearance
    negated: bool  # a negation that turns no axis word around
    numbers: frozenset[str]
    content: frozenset[str] = frozenset()  # stems of the content words
    denied: frozenset[str] = frozenset()  # stems of content words a negation reaches
    dismissive: bool = False  # says its idea does not help, matter or do anything

    @property
    def valence(self) -> int:
        """+1 when the claim says something good (faster, cheaper, current, easier...),
        -1 for something bad, 0 for neither or both."""
        total = sum(sign * GOOD_SIDE[axis] for axis, sign in self.directions)
        return (total > 0) - (total < 0)

    def direction(self, axis: str) -> int | None:
        values = {d for a, d in self.directions if a == axis}
        return values.pop() if len(values) == 1 else None


@dataclass(frozen=True)
class Options:
    """The deck's options as stem sequences: option index -> phrases naming it."""

    phrases: tuple[tuple[int, tuple[str, ...]], ...] = ()

    @classmethod
    def from_glossary(cls, options: Sequence[Sequence[str]]) -> Options:
        out = []
        for index, names in enumerate(options):
            for name in names:
                # Word forms as the glossary lists them, not stems: "prompting" names an
                # option, "the prompt" of any request does not.
                words = tuple(t.text for t in tokenize(name) if t.text not in STOPWORDS)
                if words:
                    out.append((index, words))
        # Longest first, so "knowledge base" is found before "base" could be.
        out.sort(key=lambda item: -len(item[1]))
        return cls(tuple(out))


@lru_cache(maxsize=4096)
def axis_of_stem() -> dict[str, tuple[str, int]]:
    table: dict[str, tuple[str, int]] = {}
    for axis, (up, down) in AXES.items():
        for word in up:
            table.setdefault(stems([word])[0], (axis, 1))
        for word in down:
            table.setdefault(stems([word])[0], (axis, -1))
    return table


def read_claim(words: Sequence[str], options: Options) -> Claim:
    """The claim of a clause given as normalised words."""
    words = _axis_phrases_rewritten(words)
    stemmed = stems(list(words))
    named: list[tuple[int, int]] = []  # (position, option)
    taken = [False] * len(stemmed)
    # Options are found among the content words, so "look them up" names "look up".
    content_at = [i for i, w in enumerate(words) if w not in STOPWORDS]
    content = [words[i] for i in content_at]
    for option, phrase in options.phrases:
        n = len(phrase)
        for k in range(len(content) - n + 1):
            span = content_at[k : k + n]
            if tuple(content[k : k + n]) == phrase and not any(taken[j] for j in span):
                named.append((span[0], option))
                for j in span:
                    taken[j] = True
    named.sort()
    axes = axis_of_stem()
    directions = []
    used_negations: set[int] = set()
    # "not only", "not just": an addition, not a denial.
    negations = [
        i
        for i, w in enumerate(words)
        if w in DENIALS and not (w == "not" and words[i + 1 : i + 2] in (["only"], ["just"]))
    ]
    negations += [i + 1 for i in range(len(words) - 1) if (words[i], words[i + 1]) in DENYING_PAIRS]
    # An option named under a negation is what the clause is not about: "update the
    # documents, no retraining" is a claim about retrieval, not about training.
    named = [(at, option) for at, option in named if not _reached(at, negations)]
    denied: set[str] = set()
    for i, stem in enumerate(stemmed):
        before = [n for n in negations if _in_scope(n, i, words)]
        if words[i] not in STOPWORDS and words[i] not in DENIALS and before:
            denied.add(stem)
        if stem not in axes or (taken[i] and not before):
            continue
        axis, sign = axes[stem]
        if before:
            used_negations.update(before)
            sign = -sign if len(before) % 2 else sign
        directions.append((axis, sign))
    dismissive = any(_dismisses(i, words, stemmed, negations) for i in range(len(words)))
    return Claim(
        options=frozenset(option for _, option in named),
        subject=named[0][1] if named else None,
        directions=tuple(directions),
        negated=len(set(negations) - used_negations) % 2 == 1,
        numbers=frozenset(w for w in words if w[:1].isdigit()),
        content=frozenset(
            st for w, st in zip(words, stemmed, strict=True) if w not in STOPWORDS | DENIALS
        ),
        denied=frozenset(denied),
        dismissive=dismissive,
    )


def _axis_phrases_rewritten(words: Sequence[str]) -> list[str]:
    out = list(words)
    for phrase, meaning in AXIS_PHRASES.items():
        n = len(phrase)
        for k in range(len(out) - n + 1):
            if tuple(out[k : k + n]) == phrase:
                out[k : k + n] = meaning
    return out


def _dismisses(i: int, words: Sequence[str], stemmed: Sequence[str], negations: list[int]) -> bool:
    """Whether the word at ``i`` says that the clause's idea achieves nothing."""
    if stemmed[i] in FUTILE:
        return True
    if stemmed[i] in FUTILE_WHEN_DENIED:
        return any(i - DISMISSAL_REACH <= n < i for n in negations)
    follows_act = i > 0 and stemmed[i - 1] in FUTILE_ACTS
    if words[i] == "nothing":
        return follows_act
    return words[i] == "anything" and follows_act and _reached(i, negations)


def _reached(position: int, negations: Sequence[int]) -> bool:
    return any(position - NEGATION_REACH <= n < position for n in negations)


# Where a negation's reach ends: a verb of a clause of its own ("deciding when an entry
# is no longer valid is famously tricky": tricky is not denied) or a new subject ("it
# doesn't guarantee it arrives only once": only once is not denied). Not right after the
# negation, where the verb is what it denies ("will not have to retrain").
SCOPE_ENDS = frozenset(
    word_list("is are was were will would can could should has have had it they we you he she i")
)


def _in_scope(negation: int, position: int, words: Sequence[str]) -> bool:
    if not position - NEGATION_REACH <= negation < position:
        return False
    return not any(w in SCOPE_ENDS for w in words[negation + 2 : position])


def contradiction(point: Claim, said: Claim) -> str | None:
    """Why ``said`` turns ``point`` around, in words for the user; None when it does not."""
    if point.numbers and said.numbers and not point.numbers & said.numbers:
        return "a different number"
    swapped = bool(point.options) and said.subject is not None and said.subject not in point.options
    shared = [a for a, _ in point.directions if said.direction(a) is not None]
    flipped = any(point.direction(a) not in (None, said.direction(a)) for a in shared)
    agreed = bool(shared) and not flipped
    asserted_by_point = point.content - point.denied
    # Denials read off the words, strongest first: a word the point denies that the
    # answer asserts ("no retraining" against "we would have to retrain"). Weaker, and
    # only where no shared axis already agrees ("nothing about the AI changes" agrees
    # with "the AI is untouched"): any word the answer's negation reaches ("doesn't
    # take much load off the database" against "reduces database load"), or good
    # against bad on different axes ("would go stale" against "is the better one").
    said_denies = said.negated or bool(said.denied)
    flipped = flipped or (not said_denies and bool(point.denied & said.content))
    # An answer that dismisses the idea of a point that does not itself deny anything
    # ("shorter expiry times would not make any difference" for "shorter expiry time").
    flipped = flipped or (said.dismissive and not point.denied and not point.negated)
    if not flipped and not agreed:
        valence_flip = bool(point.valence and said.valence and point.valence != said.valence)
        flipped = valence_flip or bool(said.denied & asserted_by_point)
    if swapped != flipped:
        return "says it of the other option" if swapped else "says the opposite"
    return None
