"""Anki field HTML to Parley plain text, and back.

Parley never renders deck HTML: fields are parsed with the standard library's
``html.parser`` and only their text is kept, so remote images, scripts, styles and event
handlers in a shared deck are never loaded or run. ``[sound:...]`` references become
media names; ``<img>`` is dropped from the text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

SOUND_TAG = re.compile(r"\[sound:([^\]\[]*)\]")

_BLOCK_TAGS = frozenset(
    {
        "div",
        "p",
        "li",
        "ul",
        "ol",
        "tr",
        "table",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "hr",
        "section",
        "article",
        "header",
        "footer",
        "dt",
        "dd",
    }
)
_SKIP_CONTENT = frozenset({"script", "style", "head", "title", "template", "object"})
_VOID = frozenset({"br", "img", "hr", "input", "meta", "link", "source", "wbr", "embed"})


@dataclass
class PlainField:
    text: str
    sounds: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.images: list[str] = []
        self._skip_depth = 0
        self._pre_depth = 0

    def _newline(self) -> None:
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_CONTENT:
            self._skip_depth += 1
        elif self._skip_depth:
            return
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "img":
            src = dict(attrs).get("src")
            if src:
                self.images.append(src)
        elif tag in _BLOCK_TAGS:
            self._newline()
            if tag == "pre":
                self._pre_depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_CONTENT:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif self._skip_depth:
            return
        elif tag in _BLOCK_TAGS:
            self._newline()
            if tag == "pre":
                self._pre_depth = max(0, self._pre_depth - 1)

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        if not self._pre_depth:
            # Raw line breaks in HTML source are rendered as spaces.
            data = data.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
        self.parts.append(data)


def html_to_text(source: str) -> PlainField:
    """Plain text of an Anki field: entities decoded, ``<br>`` and block ends become
    newlines, tags dropped, script/style content dropped, sound tags taken out."""
    sounds = [m.group(1) for m in SOUND_TAG.finditer(source)]
    source = SOUND_TAG.sub("", source)
    if "<" not in source and "&" not in source:
        return PlainField(_tidy(source.replace("\r\n", " ").replace("\n", " ")), sounds)
    collector = _TextCollector()
    collector.feed(source)
    collector.close()
    text = "".join(collector.parts)
    return PlainField(_tidy(text), sounds, collector.images)


def _tidy(text: str) -> str:
    text = text.replace("\xa0", " ")
    lines = [line.rstrip(" \t") for line in text.split("\n")]
    return "\n".join(lines).strip()


def text_to_html(text: str) -> str:
    """The HTML Anki should store for a Parley plain-text field."""
    return html.escape(text, quote=False).replace("\r\n", "\n").replace("\n", "<br>")


def split_sounds(text: str) -> tuple[str, list[str]]:
    """Take ``[sound:...]`` references out of plain text (CSV cells)."""
    sounds = [m.group(1) for m in SOUND_TAG.finditer(text)]
    if not sounds:
        return text, []
    return SOUND_TAG.sub("", text).strip(), sounds


def sound_tags(names: list[str]) -> str:
    return "".join(f"[sound:{name}]" for name in names)
