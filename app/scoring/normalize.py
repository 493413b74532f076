"""Turn free text into comparable words without losing where each came from.

Typed answers, recogniser transcripts and deck authors write the same thing differently:
"Fine-tuning is 5x cheaper", "fine tuning is five times cheaper", "R.A.G." and "rag".
``tokenize`` maps all of them to one form while every token keeps the character span of
the original text it came from, so matches can be highlighted in what the user said.

Rules, in order: Unicode compatibility forms and case are folded; apostrophes are dropped
("it's" -> "its") except that contractions are spelled out ("don't" -> "do not", "I'd" ->
"i would"); hyphens and other punctuation split words; letters and digits split ("5x" ->
"5 x", "gpt4" -> "gpt 4"); runs of single letters join ("r a g" -> "rag"); number words
become digits ("twenty five" -> "25"); "x" or "×" after a number becomes "times", "%" and
"per cent" become "percent"; "1st".."12th" become "first".."twelfth".
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

import Stemmer

from app.scoring.lexicon import APOSTROPHE_SUFFIXES, CONTRACTIONS
from app.scoring.numbers import canonical_digits, find_numbers, ordinal_word


class Token(NamedTuple):
    """A normalised word and the span of original text it stands for. Words that come
    from one piece of text (like "do" and "not" from "don't") share its span."""

    text: str
    start: int
    end: int


_RAW = re.compile(
    r"\d+(?:,\d{3})+(?:\.\d+)?(?![\d,])"  # 1,000 and 1,000.5
    r"|\d+\.\d+"  # 2.5
    r"|[^\W_]+(?:['’‘ʼ`][^\W_]+)*"  # words, with apostrophes inside
    r"|[%×&]"
)
_APOSTROPHES = re.compile(r"['’‘ʼ`]")
_ALNUM = re.compile(r"[^\W_]+")
_LETTERS_OR_DIGITS = re.compile(r"\d+|[^\W\d_]+")
_SYMBOLS = {"%": "percent", "×": "x", "&": "and"}


def tokenize(text: str) -> list[Token]:
    """Normalised tokens of ``text``, each with its span in ``text``."""
    tokens: list[Token] = []
    for m in _RAW.finditer(text):
        start, end = m.span()
        tokens.extend(Token(w, start, end) for w in _words_of(m.group()))
    # Contractions on both sides of joining letters: "a im" -> "a i am" puts a lone
    # letter next to another, and "I M" joins into "im"; either way normalising twice
    # must give what normalising once gave.
    tokens = _spell_out_contractions(tokens)
    tokens = _join_letters(tokens)
    tokens = _spell_out_contractions(tokens)
    tokens = _numbers_to_digits(tokens)
    return _units(tokens)


def normalize_text(text: str) -> str:
    """The normalised words of ``text`` joined by single spaces."""
    return " ".join(t.text for t in tokenize(text))


def _fold(text: str) -> str:
    """Case, compatibility forms ("ﬁ", full-width letters) and accents folded away, so
    "Café" and "cafe" agree whichever way a recogniser spells them."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFKC", bare)


@lru_cache(maxsize=16384)
def _words_of(raw: str) -> tuple[str, ...]:
    """The normalised words one piece of raw text stands for. Cached: answers reuse
    the same few hundred words, and this is most of the cost of tokenising."""
    if raw in _SYMBOLS:
        return (_SYMBOLS[raw],)
    number = canonical_digits(raw)
    if number is not None:
        return (number,)
    folded = _APOSTROPHES.sub("'", _fold(raw))
    parts = folded.split("'")
    words: list[str]
    if len(parts) > 1 and parts[-1] in APOSTROPHE_SUFFIXES:
        words = ["".join(parts[:-1]), APOSTROPHE_SUFFIXES[parts[-1]]]
    else:
        words = ["".join(parts)]
    out: list[str] = []
    for word in words:
        for piece in _ALNUM.findall(word):
            ordinal = ordinal_word(piece)
            if ordinal is not None:
                out.append(ordinal)
                continue
            for part in _LETTERS_OR_DIGITS.findall(piece):
                out.append(canonical_digits(part) or part)
    return tuple(out)


def _join_letters(tokens: list[Token]) -> list[Token]:
    """Acronyms spelled out letter by letter ("r a g", "L.L.M.") become one word."""
    out: list[Token] = []
    run_start = 0  # index in ``out`` where the current run of single letters begins
    for tok in tokens:
        if len(tok.text) != 1 or not tok.text.isalpha():
            out.append(tok)
            run_start = len(out)
            continue
        if len(out) - run_start >= 1:
            first = out[run_start]
            out[run_start:] = [Token(first.text + tok.text, first.start, tok.end)]
        else:
            out.append(tok)
    return out


def _spell_out_contractions(tokens: list[Token]) -> list[Token]:
    out: list[Token] = []
    for tok in tokens:
        words = CONTRACTIONS.get(tok.text)
        if words is None:
            out.append(tok)
        else:
            out.extend(Token(w, tok.start, tok.end) for w in words)
    return out


def _numbers_to_digits(tokens: list[Token]) -> list[Token]:
    runs = find_numbers([t.text for t in tokens])
    if not runs:
        return tokens
    out: list[Token] = []
    i = 0
    for first, end, digits in runs:
        out.extend(tokens[i:first])
        out.append(Token(digits, tokens[first].start, tokens[end - 1].end))
        i = end
    out.extend(tokens[i:])
    return out


def _units(tokens: list[Token]) -> list[Token]:
    """ "5 x" -> "5 times", "twice" -> "2 times", "per cent" -> "percent"."""
    out: list[Token] = []
    for tok in tokens:
        prev = out[-1] if out else None
        if tok.text == "x" and prev is not None and _is_number(prev.text):
            out.append(Token("times", tok.start, tok.end))
        elif tok.text == "twice":
            out.extend((Token("2", tok.start, tok.end), Token("times", tok.start, tok.end)))
        elif tok.text == "cent" and prev is not None and prev.text == "per":
            out[-1] = Token("percent", prev.start, tok.end)
        else:
            out.append(tok)
    return out


def _is_number(word: str) -> bool:
    return word[:1].isdigit()


_local = threading.local()


def stems(words: Iterable[str]) -> list[str]:
    """Snowball English stems ("retrieval", "retrieving" -> "retriev"). Safe from any
    thread: PyStemmer objects are not, so each thread gets its own."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return [str(s) for s in stemmer.stemWords(list(words))]
