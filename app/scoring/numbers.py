"""Spoken numbers to digits, so "twenty five" and "25" are the same word.

Recognisers write numbers as words and people type digits; key points use either. Works
on already lower-cased word lists and says which runs to replace, leaving offsets to the
caller.
"""

from __future__ import annotations

import unicodedata

from app.scoring.lexicon import words as _words

_UNITS = {
    w: i
    for i, w in enumerate(
        _words(
            "zero one two three four five six seven eight nine ten eleven twelve thirteen "
            "fourteen fifteen sixteen seventeen eighteen nineteen"
        )
    )
}
_TENS = {
    w: 10 * (i + 2)
    for i, w in enumerate(_words("twenty thirty forty fifty sixty seventy eighty ninety"))
}
_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_ORDINALS = _words(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth"
)
_STARTS = frozenset([*_UNITS, *_TENS, *_SCALES, "hundred", "a"])
# Digit strings longer than this are left alone: no one says them, and int() of a huge
# string is slow (and refused past 4300 digits).
_MAX_DIGITS = 18


def canonical_digits(word: str) -> str | None:
    """``word`` as a canonical number ("007" -> "7", "1,000" -> "1000", "2.50" -> "2.5"),
    or None when it is not a number. Any script's decimal digits are accepted."""
    if not word:
        return None
    chars: list[str] = []
    for ch in word:
        if ch in ",.":
            chars.append(ch)
        elif ch.isdecimal():
            chars.append(str(unicodedata.decimal(ch)))
        else:
            return None
    text = "".join(chars)
    if "," in text:
        groups = text.split(".")[0].split(",")
        if len(text.split(".")) > 2 or any(len(g) != 3 for g in groups[1:]) or not groups[0]:
            return None
        text = text.replace(",", "")
    whole, point, frac = text.partition(".")
    if not whole or "." in frac or (point and not frac):
        return None
    whole = whole.lstrip("0") or "0"
    frac = frac.rstrip("0")
    return f"{whole}.{frac}" if frac else whole


def ordinal_word(word: str) -> str | None:
    """ "3rd" -> "third" for 1st..12th, so both spellings meet each other."""
    if len(word) < 3 or word[-2:] not in ("st", "nd", "rd", "th") or not word[:-2].isdigit():
        return None
    n = canonical_digits(word[:-2])
    if n is None or "." in n or not 1 <= int(n) <= len(_ORDINALS):
        return None
    return _ORDINALS[int(n) - 1]


def _is_int(word: str) -> bool:
    return word.isascii() and word.isdigit() and len(word) <= _MAX_DIGITS


def find_numbers(words: list[str]) -> list[tuple[int, int, str]]:
    """Runs of number words as ``(first, end, digits)`` with ``words[first:end]`` to be
    replaced by ``digits``: "twenty five" -> "25", "a hundred" -> "100", "five million"
    and "5 million" -> "5000000", "two point five" -> "2.5". Runs that are not one number
    ("five twenty") split into separate numbers."""
    found: list[tuple[int, int, str]] = []
    i = 0
    while i < len(words):
        if words[i] not in _STARTS and not words[i][:1].isdigit():
            i += 1
            continue
        parsed = _parse_at(words, i)
        if parsed is None:
            i += 1
            continue
        end, value = parsed
        if end - i > 1 or value != words[i]:
            found.append((i, end, value))
        i = end
    return found


def _parse_at(words: list[str], i: int) -> tuple[int, str] | None:
    n = len(words)
    total = 0
    current = 0
    last: str | None = None  # kind of the last word: unit, teen, tens, hundred, scale, digit
    j = i
    if words[i] == "a" and i + 1 < n and (words[i + 1] == "hundred" or words[i + 1] in _SCALES):
        current, last, j = 1, "unit", i + 1
    elif _is_int(words[i]):
        if not (i + 1 < n and (words[i + 1] == "hundred" or words[i + 1] in _SCALES)):
            return None
        current, last, j = int(words[i]), "digit", i + 1
    while j < n:
        w = words[j]
        if w in _UNITS:
            unit = _UNITS[w]
            if last in (None, "hundred", "scale") or (last == "tens" and 1 <= unit <= 9):
                current += unit
                last = "teen" if unit >= 10 else "unit"
            else:
                break
        elif w in _TENS:
            if last not in (None, "hundred", "scale"):
                break
            current += _TENS[w]
            last = "tens"
        elif w == "hundred":
            if last is None:
                current = 100
            elif last in ("unit", "teen", "tens", "digit") and 1 <= current <= 99:
                current *= 100
            else:
                break
            last = "hundred"
        elif w in _SCALES:
            if last is None:
                break
            if last == "scale":
                total *= _SCALES[w]  # "a million million"
            else:
                total += current * _SCALES[w]
            current = 0
            last = "scale"
        elif w == "and" and last in ("hundred", "scale"):
            if j + 1 < n and (words[j + 1] in _UNITS or words[j + 1] in _TENS):
                j += 1
                continue
            break
        else:
            break
        j += 1
    if last is None or (last == "digit" and j == i + 1):
        return None
    value = str(total + current)
    # "two point five": single digits after "point" are the decimals.
    if j + 1 < n and words[j] == "point" and last in ("unit", "teen", "tens", "hundred"):
        k = j + 1
        decimals = ""
        while k < n and words[k] in _UNITS and _UNITS[words[k]] <= 9:
            decimals += str(_UNITS[words[k]])
            k += 1
        if decimals:
            decimals = decimals.rstrip("0")
            value = f"{value}.{decimals}" if decimals else value
            j = k
    return j, value
