"""MathJax in card text, found so review can show it as what it is.

Anki writes maths as MathJax source between ``\\(`` and ``\\)`` (inline) or ``\\[`` and
``\\]`` (display) and renders it with a script in its web view. Parley runs no deck
script and bundles no TeX renderer, so it shows the source itself, without the
delimiters, in a code style: ``\\frac{a}{b}`` reads better as source than as a
backslash soup in running text, and nothing is lost. An opening with no closing is
ordinary text, as it is in Anki.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_MATH = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]", re.DOTALL)


class Run(NamedTuple):
    text: str
    math: bool  # MathJax source (delimiters taken off), or plain text


def split_math(text: str) -> list[Run]:
    """``text`` as plain runs and MathJax runs, in order; one plain run when it has none."""
    if "\\(" not in text and "\\[" not in text:
        return [Run(text, False)]
    runs: list[Run] = []
    pos = 0
    for match in _MATH.finditer(text):
        source = match.group(1) if match.group(1) is not None else match.group(2)
        if not source.strip():
            continue
        if match.start() > pos:
            runs.append(Run(text[pos : match.start()], False))
        runs.append(Run(source.strip(), True))
        pos = match.end()
    if pos < len(text) or not runs:
        runs.append(Run(text[pos:], False))
    return runs
