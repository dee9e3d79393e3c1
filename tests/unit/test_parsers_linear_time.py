"""Hostile text files cost milliseconds, not minutes (issue 27 follow-up, review item 3): the
Markdown and HTML readers scan in linear time. Each input below took from seconds to minutes
with the backtracking patterns before (120 KB of ``<meta `` in Markdown: 129 s; the same in
HTML: 67 s; a heading with 4,000 inner spaces: 161 s), so on the old code these tests do
not finish; here they assert on what is read."""

from __future__ import annotations

import pytest

from connectors.parsing.files import ParsedFile, parse_file

INTRO = "Intro CANARY-linear."


def _read(name: str, text: str) -> ParsedFile:
    return parse_file(name, text.encode(), fallback="fallback")


@pytest.mark.parametrize(
    "tail",
    [
        "<meta " * 20_000,  # the hidden-element pattern was cubic
        "<!--" * 50_000,  # an unclosed comment rescanned the rest from every opener
        "{{" * 50_000,
        "{%" * 50_000,
        "<%" * 50_000,
        "x [a](" * 30_000,  # a link target without its ")"
        "x [^a" * 40_000,  # footnote references, reference links without "]"
        "x ![a](" * 30_000,
        "x <a " * 40_000,  # tags without ">"
        "\n".join(["[label"] * 40_000),  # link definitions without "]"
    ],
)
def test_unclosed_markup_in_markdown_is_read_as_text(tail: str) -> None:
    parsed = _read("page.md", f"# Plan\n\n{INTRO}\n\n{tail}\n")
    assert parsed.title == "Plan"
    assert parsed.sections[0].text.startswith(INTRO)


def test_a_two_hundred_thousand_line_paragraph_is_joined_into_one_line() -> None:
    parsed = _read("page.md", "# Plan\n\n" + "word\n" * 200_000)
    [section] = parsed.sections
    assert "\n" not in section.text and section.text.count("word") == 200_000


def test_headings_and_table_rules_with_long_runs_of_spaces() -> None:
    text = "# a" + " " * 4_000 + "b ##\n\n" + INTRO + "\n\n---" + " " * 20_000 + "x\n"
    parsed = _read("page.md", text)
    assert parsed.title == "a b"
    assert parsed.sections[0].text.startswith(INTRO) and parsed.sections[0].text.endswith("x")


def test_what_the_linear_patterns_still_read() -> None:
    text = (
        "# Title ##\n\n"
        "See [the wiki](https://en.wikipedia.org/wiki/Foo_(bar)) and ![a chart](c.png).\n\n"
        "<!-- a note -->{% raw %}A <div hidden>SECRET-hidden</div>"
        '<span style="display: none">SECRET-none</span>B.\n\n[ref]: https://example.com\n'
        "\n| A | B |\n|:---|---:|\n"
    )
    [section] = _read("page.md", text).sections
    assert section.heading_path == ["Title"]
    lines = [line for line in section.text.splitlines() if line]
    assert lines == ["See the wiki and a chart.", "A B.", "A | B"]


@pytest.mark.parametrize(
    "tail",
    [
        "<!--" * 50_000,  # the standard library's parser rescans from every "<" left open
        "<meta " * 20_000,
        "<div>a" * 50_000,  # the collector looked through its whole stack for each line
        "</x>" * 40_000,
    ],
)
def test_unclosed_markup_in_html_is_read_in_linear_time(tail: str) -> None:
    parsed = _read("page.html", f"<html><body><h1>Plan</h1><p>{INTRO}</p>{tail}")
    assert parsed.title == "Plan" and parsed.sections[0].text.startswith(INTRO)


def test_a_comment_left_open_in_html_hides_the_rest_of_the_page() -> None:
    parsed = _read("page.html", f"<h1>Plan</h1><p>{INTRO}</p><!-- draft <p>SECRET-draft</p>")
    assert parsed.sections[0].text == INTRO


def test_a_long_mdx_export_is_scanned_for_keys_in_linear_time() -> None:
    # each identifier is read from its start only (60,000 overlapping starts before)
    parsed = _read("page.mdx", "export const x = " + "a" * 60_000 + f"\n\n# Plan\n\n{INTRO}\n")
    assert parsed.title == "Plan" and parsed.sections[-1].text == INTRO
