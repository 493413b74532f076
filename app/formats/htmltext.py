"""Anki field HTML to Parley plain text, and back.

Parley never renders deck HTML: fields are parsed with the standard library's
``html.parser`` and only their text is kept, so remote images, scripts, styles and event
handlers in a shared deck are never loaded or run. ``[sound:...]`` references become
media names; ``<img>`` is dropped from the text (its file name is kept apart, for
review to show the image itself). A table becomes a line per row with its cells
separated by `` | ``, so it still reads as a table. MathJax (``\\(...\\)``, ``\\[...\\]``)
stays as its source; review shows it in a code style (see ``mathjax``).
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
_CELL_TAGS = frozenset({"td", "th"})
CELL_SEPARATOR = " | "
_SKIP_CONTENT = frozenset({"script", "style", "head", "title", "template", "object"})
_VOID = frozenset({"br", "img", "hr", "input", "meta", "link", "source", "wbr", "embed"})


@dataclass
class PlainField:
    text: str
    sounds: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)


class _Sink:
    """Builds the text from tag and data events, whichever tokenizer produced them."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.images: list[str] = []
        self._skip_depth = 0
        self._pre_depth = 0
        self._cells = 0  # cells begun in the current table row
        self._tables = 0  # open <table> elements
        # Inside a table cell lines and blocks run on, so the row stays one line. An
        # unclosed cell (HTML lets </td> be left out) ends at the next cell or row.
        self._in_cell = False

    def _newline(self) -> None:
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def _space(self) -> None:
        if self.parts and not self.parts[-1].endswith((" ", "\n")):
            self.parts.append(" ")

    def start(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_CONTENT:
            self._skip_depth += 1
        elif self._skip_depth:
            return
        elif tag == "br" and self._in_cell:
            self._space()
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "img":
            src = dict(attrs).get("src")
            if src:
                self.images.append(src)
        elif tag in _CELL_TAGS:
            while self.parts and self.parts[-1].strip(" \t") == "":
                self.parts.pop()  # the white space between the row's tags
            if self._cells:
                self.parts.append(CELL_SEPARATOR)
            self._cells += 1
            self._in_cell = True
        elif self._in_cell and tag in _BLOCK_TAGS and tag not in ("tr", "table"):
            self._space()
        elif tag in _BLOCK_TAGS:
            self._newline()
            if tag in ("tr", "table"):
                self._cells, self._in_cell = 0, False
                self._tables += tag == "table"
            if tag == "pre":
                self._pre_depth += 1

    def end(self, tag: str) -> None:
        if tag in _SKIP_CONTENT:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif self._skip_depth:
            return
        elif tag in _CELL_TAGS:
            self._in_cell = False
        elif self._in_cell and tag in _BLOCK_TAGS and tag not in ("tr", "table"):
            self._space()
        elif tag in _BLOCK_TAGS:
            if tag in ("tr", "table"):
                self._in_cell = False
            if tag == "table":
                self._tables = max(0, self._tables - 1)
            self._newline()
            if tag == "pre":
                self._pre_depth = max(0, self._pre_depth - 1)

    def data(self, data: str) -> None:
        if self._skip_depth or (self._tables and not self._in_cell and not data.strip()):
            return
        if not self._pre_depth and ("\n" in data or "\r" in data):
            # Raw line breaks in HTML source are rendered as spaces.
            data = data.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
        self.parts.append(data)


class _Parser(HTMLParser):
    def __init__(self, sink: _Sink) -> None:
        super().__init__(convert_charrefs=True)
        self.sink = sink

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.sink.start(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.sink.start(tag, attrs)
        if tag not in _VOID:
            self.sink.end(tag)

    def handle_endtag(self, tag: str) -> None:
        self.sink.end(tag)

    def handle_data(self, data: str) -> None:
        self.sink.data(data)


# Most fields use a few plain tags (b, i, div, br, span with attributes). Those are
# tokenized with one regex and fed to the same sink; anything else (comments, scripts,
# images, stray "<") goes through html.parser.
_SIMPLE_TAG = re.compile(
    r"""<(/?)([a-zA-Z][a-zA-Z0-9]*)(\s[^<>"']*(?:(?:"[^"]*"|'[^']*')[^<>"']*)*)?(/?)>"""
)
_NOT_SIMPLE = _SKIP_CONTENT | {
    "pre",
    "img",
    "textarea",
    "xmp",
    "plaintext",
    "iframe",
    "noscript",
    "noembed",
    "noframes",
}


# Tags the sink does something with; any other simple tag (b, i, span, font, ...) only
# separates two runs of text, so the fast path does not call the sink for it.
_MEANINGFUL = _BLOCK_TAGS | _CELL_TAGS | {"br"}


def _simple_tokens(source: str, sink: _Sink) -> bool:
    """Feed ``source`` to ``sink`` if it only holds simple tags; False if it does not
    (the sink may then have been fed part of it and must be thrown away)."""
    expected = source.count("<")
    found = pos = 0
    for match in _SIMPLE_TAG.finditer(source):
        found += 1
        name = match.group(2).lower()
        if name in _NOT_SIMPLE:
            return False
        start = match.start()
        if start > pos:
            sink.data(_unescape(source[pos:start]))
        pos = match.end()
        if name not in _MEANINGFUL:
            continue
        if match.group(1):
            sink.end(name)
        else:
            sink.start(name, [])
            if match.group(4) and name not in _VOID:
                sink.end(name)
    if found != expected:
        return False
    if pos < len(source):
        sink.data(_unescape(source[pos:]))
    return True


def _inline_text(source: str) -> str | None:
    """The text of a field whose only tags are inline ones and ``<br>`` (most fields),
    found with one regex split; None for any other field. The same as feeding the
    sink, chunk by chunk (entities decoded, then raw line breaks made spaces), without
    a call per tag."""
    parts = _SIMPLE_TAG.split(source)
    names = parts[2::5]
    if len(names) != source.count("<"):
        return None
    out = []
    for index, name in enumerate(names):
        lowered = name.lower()
        if lowered != "br" and (lowered in _MEANINGFUL or lowered in _NOT_SIMPLE):
            return None
        out.append(_as_data(parts[index * 5]))
        if lowered == "br" and not parts[index * 5 + 1]:
            out.append("\n")
    out.append(_as_data(parts[-1]))
    return "".join(out)


def _as_data(chunk: str) -> str:
    if "&" in chunk:
        chunk = html.unescape(chunk)
    if "\n" in chunk or "\r" in chunk:
        chunk = chunk.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    return chunk


def _unescape(text: str) -> str:
    return html.unescape(text) if "&" in text else text


def html_to_text(source: str, *, tokenizer: str = "auto") -> PlainField:
    """Plain text of an Anki field: entities decoded, ``<br>`` and block ends become
    newlines, tags dropped, script/style content dropped, sound tags taken out.
    ``tokenizer="parser"`` forces html.parser (the fast path is tested against it)."""
    sounds = [m.group(1) for m in SOUND_TAG.finditer(source)] if "[sound:" in source else []
    if sounds:
        source = SOUND_TAG.sub("", source)
    if "<" not in source and "&" not in source:
        return PlainField(_tidy(source.replace("\r\n", " ").replace("\n", " ")), sounds)
    if tokenizer == "auto":
        inline = _inline_text(source)
        if inline is not None:
            return PlainField(_tidy(inline), sounds)
    sink = _Sink()
    if tokenizer == "parser" or not _simple_tokens(source, sink):
        sink = _Sink()
        parser = _Parser(sink)
        parser.feed(source)
        parser.close()
    return PlainField(_tidy("".join(sink.parts)), sounds, sink.images)


def _tidy(text: str) -> str:
    text = text.replace("\xa0", " ")
    if "\n" not in text:
        return text.strip()
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


def image_tags(names: list[str]) -> str:
    return "".join(f'<img src="{html.escape(name)}">' for name in names)
