"""Key points written in one line of text, for CSV cells and Anki fields.

``"label: alt1 | alt2; label2: alt3"`` — key points are separated by ``;``, a label ends
at the first ``:`` and alternatives are separated by ``|``. A key point without ``:``
is its own only alternative. A backslash makes the next character literal, so any label
or alternative survives a write and a read.
"""

from __future__ import annotations

from app.model.deckdata import KeyPoint

_SPECIAL = frozenset(";:|\\")


def _escape(text: str) -> str:
    out = []
    last = len(text) - 1
    for i, ch in enumerate(text):
        # Surrounding white space would be stripped on reading, so it is escaped too.
        edge = (i == 0 or i == last) and ch.isspace()
        out.append("\\" + ch if ch in _SPECIAL or edge or ch == "\n" else ch)
    return "".join(out)


def format_key_points(points: list[KeyPoint], separator: str = "; ") -> str:
    items = []
    for point in points:
        alternatives = " | ".join(_escape(alt) for alt in point.alternatives)
        items.append(f"{_escape(point.label)}: {alternatives}")
    return separator.join(items)


def _split(text: str, seps: str) -> list[str]:
    """Split on unescaped ``seps`` characters, keeping escapes for the next level."""
    parts, current, i = [], [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            current.append(text[i : i + 2])
            i += 2
            continue
        if ch in seps:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    parts.append("".join(current))
    return parts


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _strip(text: str) -> str:
    """Strip surrounding spaces but not an escaped trailing one."""
    stripped = text.lstrip()
    end = len(stripped)
    while end > 0 and stripped[end - 1].isspace():
        # Count the backslashes before this space: an odd count escapes it.
        k = end - 1
        while k > 0 and stripped[k - 1] == "\\":
            k -= 1
        if (end - 1 - k) % 2:
            break
        end -= 1
    return stripped[:end]


def parse_key_points(text: str) -> list[KeyPoint]:
    """Parse a key points cell; empty items are skipped. Raises ``ValueError`` with a
    reason when a key point has a label but no alternative."""
    points = []
    for item in _split(text, ";\n"):
        if not _strip(item):
            continue
        label_and_rest = _split(item, ":")
        if len(label_and_rest) == 1:
            label = _unescape(_strip(item))
            points.append(KeyPoint(label, [label]))
            continue
        label = _unescape(_strip(label_and_rest[0]))
        rest = ":".join(label_and_rest[1:])
        alternatives = [_unescape(_strip(a)) for a in _split(rest, "|") if _strip(a)]
        if not label:
            raise ValueError(f"key point {item.strip()!r} has no label")
        if not alternatives:
            raise ValueError(f"key point {label!r} has no alternatives")
        points.append(KeyPoint(label, alternatives))
    return points
