"""Anki cloze deletions: ``{{c1::answer}}`` and ``{{c2::answer::hint}}``, possibly nested.

A cloze note gives one card per cloze number. On the card for number *n* the deletions
numbered *n* are hidden — shown as ``[…]``, or ``[hint]`` when they have a hint — and
all others show their text; the back shows every answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PLACEHOLDER = "[…]"
_OPEN = re.compile(r"\{\{c(\d+)::")


@dataclass
class Cloze:
    number: int
    children: list[Node] = field(default_factory=list)
    hint: str | None = None


Node = str | Cloze


def parse(text: str) -> list[Node]:
    root: list[Node] = []
    stack: list[Cloze] = []
    pos = 0

    def target() -> list[Node]:
        return stack[-1].children if stack else root

    while pos < len(text):
        opening = _OPEN.search(text, pos)
        closing = text.find("}}", pos) if stack else -1
        if opening is not None and (closing < 0 or opening.start() < closing):
            if opening.start() > pos:
                target().append(text[pos : opening.start()])
            stack.append(Cloze(int(opening.group(1))))
            pos = opening.end()
        elif closing >= 0:
            if closing > pos:
                target().append(text[pos:closing])
            done = stack.pop()
            _split_hint(done)
            target().append(done)
            pos = closing + 2
        else:
            target().append(text[pos:])
            break
    # Unclosed deletions are not deletions: put their text back as written.
    while stack:
        broken = stack.pop()
        flat = f"{{{{c{broken.number}::" + render(broken.children, 0, reveal=True)
        target().append(flat)
    return root


def _split_hint(cloze: Cloze) -> None:
    if cloze.children and isinstance(cloze.children[-1], str) and "::" in cloze.children[-1]:
        last = cloze.children[-1]
        cut = last.rfind("::")
        cloze.hint = last[cut + 2 :]
        cloze.children[-1] = last[:cut]


def numbers(nodes: list[Node]) -> list[int]:
    found: set[int] = set()

    def walk(items: list[Node]) -> None:
        for node in items:
            if isinstance(node, Cloze):
                found.add(node.number)
                walk(node.children)

    walk(nodes)
    return sorted(found)


def render(nodes: list[Node], number: int, *, reveal: bool) -> str:
    """Text with deletion ``number`` hidden (``reveal=False``) or shown."""
    out = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif node.number == number and not reveal:
            out.append(f"[{node.hint}]" if node.hint else PLACEHOLDER)
        else:
            out.append(render(node.children, number, reveal=reveal))
    return "".join(out)
