"""What a user sees of an Anki field: its words, never its markup or scripts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.formats import cloze
from app.formats.htmltext import html_to_text, text_to_html
from app.formats.mathjax import split_math


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("plain", "plain"),
        ("a<br>b<br/>c", "a\nb\nc"),
        ("first<div>second</div><div>third</div>", "first\nsecond\nthird"),
        ("<p>one</p><p>two</p>", "one\ntwo"),
        ("caf&eacute; &amp; &lt;tea&gt;&nbsp;&#x1F375;", "café & <tea> 🍵"),
        ("<script>fetch('http://evil')</script>safe<style>*{}</style>", "safe"),
        ('<img src="http://tracker/pixel.gif" onerror="alert(1)">word', "word"),
        ("<b>bold</b> and <i>italic</i>", "bold and italic"),
        ("line\nbreaks in source", "line breaks in source"),
        ("<pre>keep\n  this</pre>", "keep\n  this"),
        ("unclosed <b>tag", "unclosed tag"),
        # A table reads as rows: a line each, its cells apart; the white space between
        # its tags and the blocks inside a cell do not break a row.
        (
            "<table>\n<tr><th>Port</th> <th>Use</th></tr>\n"
            "<tr><td>443</td><td><div>HTTPS</div>web</td></tr></table>after",
            "Port | Use\n443 | HTTPS web\nafter",
        ),
        ("<table><tr><td>a<td>b<tr><td>c<br>d</table>", "a | b\nc d"),
        # MathJax stays as its source, for review to set in a code style.
        (r"Area \(\pi r^2\) <i>and</i> \[E = mc^2\]", r"Area \(\pi r^2\) and \[E = mc^2\]"),
    ],
)
def test_fields_become_plain_text(html: str, text: str) -> None:
    assert html_to_text(html).text == text


@pytest.mark.parametrize("tokenizer", ["auto", "parser"])
def test_a_table_reads_the_same_whichever_tokenizer_reads_it(tokenizer: str) -> None:
    source = (
        "<table><tr><td><b>SYN</b></td><td>open</td></tr>"
        "<tr><td>FIN</td><td>close</td></tr></table>"
    )

    assert html_to_text(source, tokenizer=tokenizer).text == "SYN | open\nFIN | close"


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        ("no maths", [("no maths", False)]),
        (r"Area \(\pi r^2\) here", [("Area ", False), (r"\pi r^2", True), (" here", False)]),
        (r"\[ \sum_i x_i \]", [(r"\sum_i x_i", True)]),
        (r"an open \( stays text", [(r"an open \( stays text", False)]),
        (r"empty \(\) too", [(r"empty \(\) too", False)]),
    ],
)
def test_mathjax_is_told_apart_from_text_by_anki_delimiters(
    text: str, runs: list[tuple[str, bool]]
) -> None:
    assert [tuple(run) for run in split_math(text)] == runs


def test_sounds_are_collected_and_removed_images_noted() -> None:
    field = html_to_text('Say it [sound:a.mp3]<img src="b.png"> again[sound:c.ogg]')

    assert field.text == "Say it  again"
    assert field.sounds == ["a.mp3", "c.ogg"]
    assert field.images == ["b.png"]


def test_plain_text_goes_back_as_escaped_html() -> None:
    text = "a < b & c\nnext line"

    assert text_to_html(text) == "a &lt; b &amp; c<br>next line"
    assert html_to_text(text_to_html(text)).text == text


@pytest.mark.parametrize(
    ("source", "number", "front", "back"),
    [
        ("{{c1::Paris}} is in France", 1, "[…] is in France", "Paris is in France"),
        ("{{c1::Paris::city}} is in {{c2::France}}", 2, "Paris is in […]", "Paris is in France"),
        (
            "{{c1::Paris::city}} is in {{c2::France}}",
            1,
            "[city] is in France",
            "Paris is in France",
        ),
        ("{{c1::outer {{c2::inner}} text}}", 2, "outer […] text", "outer inner text"),
        ("{{c1::same}} and {{c1::again}}", 1, "[…] and […]", "same and again"),
        ("broken {{c1::never closed", 1, "broken {{c1::never closed", "broken {{c1::never closed"),
    ],
)
def test_cloze_deletions_hide_only_their_own_number(
    source: str, number: int, front: str, back: str
) -> None:
    nodes = cloze.parse(source)

    assert cloze.render(nodes, number, reveal=False) == front
    assert cloze.render(nodes, number, reveal=True) == back


html_pieces = st.sampled_from(
    [
        "<b>",
        "</b>",
        "<i>",
        "</I>",
        "<div>",
        "</div>",
        "<DIV class=x>",
        "<p>",
        "</p>",
        "<br>",
        "<br/>",
        "<br />",
        "</br>",
        "<table>",
        "</table>",
        "<tr>",
        "</tr>",
        "<td>",
        "</td>",
        "<TH>",
        "<li>",
        "</li>",
        '<span style="a>b">',
        "<span title='x'>",
        "</span>",
        "<div/>",
        "<foo bar>",
        "<h1>",
        "</h1>",
        '<a href="http://x/?a=1&amp;b=2">',
        "</a>",
        "&amp;",
        "&lt;",
        "&nbsp;",
        "&#65;",
        "&#x42;",
        "&bogus;",
        "&",
        "<",
        ">",
        "\n",
        "\r\n",
        "  ",
        "<!-- note -->",
        "<script>x()</script>",
        "<style>b{}</style>",
        "<pre>a\n b</pre>",
        '<img src="i.png">',
        "[sound:a.mp3]",
        "text",
        "é",
        "\xa0",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(html_pieces | st.text(max_size=5), max_size=25).map("".join))
def test_the_fast_path_reads_html_exactly_like_html_parser(source: str) -> None:
    assert html_to_text(source) == html_to_text(source, tokenizer="parser")
