"""A key point turned around, in words: what an answer that gets the point wrong with
the same vocabulary would say.

Sentence similarity puts "fine-tuning would go stale" and "a fine-tuned model stays up to
date" close together: same topic, same words. It also puts the second closer to "fine
tuning would go current" than to the point itself. So the meaning matcher embeds, next to
each of a point's phrases, the phrase turned around in the few ways words alone allow,
and a piece of the answer clearly closer to a turned phrase than to the point says the
opposite (``verdicts``). The lexical claim checks (``claims``) read the same axes and
options; this catches what they miss when the answer's words differ from the point's.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.scoring.claims import axis_of_stem
from app.scoring.lexicon import AXES
from app.scoring.normalize import stems, tokenize


def turned_around(text: str, options: Sequence[Sequence[str]] = ()) -> list[str]:
    """``text`` saying the opposite: another of the deck's ``options`` in place of the
    one it names ("retrieval would go stale"), the other end of an axis word ("fine
    tuning would go current"). Normalised words, not pretty sentences: they are only ever
    embedded. Dropping a negation is not one of the ways: "complementary competing" is
    as close to "they fit together rather than compete" as the point is (measured on the
    corpus's dev answers, it cost as many paraphrases as it caught wrong claims)."""
    words = [t.text for t in tokenize(text)]
    out = _options_swapped(words, options) + _axes_flipped(words)
    same = " ".join(words)
    return [o for o in dict.fromkeys(out) if o and o != same]


def turned_twice(text: str, options: Sequence[Sequence[str]] = ()) -> list[str]:
    """``text`` with another option in its place and an axis word flipped: two turns
    that agree with the point ("only retrieval leaves the model as it is" for "only
    fine-tuning changes the model"), so a piece closest to one of these is no opposite."""
    words = [t.text for t in tokenize(text)]
    return list(
        dict.fromkeys(t for s in _options_swapped(words, options) for t in _axes_flipped(s.split()))
    )


def _options_swapped(words: list[str], options: Sequence[Sequence[str]]) -> list[str]:
    names = [[[t.text for t in tokenize(n)] for n in names] for names in options]
    out = []
    for index, phrases in enumerate(names):
        for phrase in phrases:
            n = len(phrase)
            for k in range(len(words) - n + 1) if n else ():
                if words[k : k + n] != phrase:
                    continue
                for other, other_phrases in enumerate(names):
                    if other != index and other_phrases:
                        out.append(" ".join(words[:k] + other_phrases[0] + words[k + n :]))
    return out


def _axes_flipped(words: list[str]) -> list[str]:
    axes = axis_of_stem()
    out = []
    for i, stem in enumerate(stems(words)):
        if stem in axes:
            axis, sign = axes[stem]
            opposite = AXES[axis][1 if sign > 0 else 0][0]
            out.append(" ".join([*words[:i], opposite, *words[i + 1 :]]))
    return out
