import pytest

from connectors.parsing.html import parse_html
from connectors.parsing.markdown import FrontMatterError, parse_markdown, split_front_matter
from connectors.parsing.metadata import MetadataError

PAGE = """---
title: Leave types
keywords: vacation, leave
---

{% alert %}
  Use this <a href="https://example.com">leave chart</a>.
{% endalert %}

Check [out of office]({% page "travel/ooo/" %}) first. {{ site.baseurl }}

<!-- editors: hidden note -->

## Annual leave

You earn **4 hours** per pay period.

### Use or lose

```
# not a heading inside code
```

| Years | Hours |
|-------|-------|
| <3    | 4     |

Setext heading
--------------

After setext.
"""


def test_front_matter_is_parsed_and_stripped() -> None:
    front, body = split_front_matter(PAGE)
    assert front["title"] == "Leave types"
    assert "keywords" not in body


def test_sections_have_heading_paths_and_clean_text() -> None:
    parsed = parse_markdown(PAGE, fallback_title="x")
    assert parsed.title == "Leave types"
    headings = [s.heading for s in parsed.sections]
    assert headings == ["", "Annual leave", "Annual leave > Use or lose", "Setext heading"]
    text = "\n".join(s.text for s in parsed.sections)
    for leaked in ("{%", "%}", "{{", "site.baseurl", "editors: hidden", "<a", "**", "|---"):
        assert leaked not in text
    assert "Use this leave chart." in parsed.sections[0].text
    assert "Check out of office first." in parsed.sections[0].text
    assert "# not a heading inside code" in parsed.sections[2].text
    assert "<3 | 4" in parsed.sections[2].text
    assert parsed.sections[1].anchor == "annual-leave"


def test_title_falls_back_to_first_heading_then_file_name() -> None:
    assert parse_markdown("# Sick leave\n\ntext", fallback_title="f").title == "Sick leave"
    assert parse_markdown("just text", fallback_title="file name").title == "file name"


def test_invalid_front_matter_is_refused_not_indexed() -> None:
    with pytest.raises(FrontMatterError, match="not valid YAML"):
        parse_markdown("---\ntitle: [unclosed\n---\nBody text here.", fallback_title="f")


def test_html_sections_skip_scripts_and_hidden_text() -> None:
    html = """<html><head><title>Wi-Fi</title><style>p{}</style></head><body>
    <h1>Wi-Fi</h1><h2 id="guest">Guest network</h2><p>Use <b>BWL-Guest</b>.</p>
    <p hidden>secret hidden note</p><div style="display: none">also hidden</div>
    <span aria-hidden="true">aria hidden</span><script>var x = 1;</script>
    <ul><li>one item</li></ul></body></html>"""
    parsed = parse_html(html, fallback_title="f")
    assert parsed.title == "Wi-Fi"
    section = parsed.sections[-1]
    assert section.heading_path == ["Wi-Fi", "Guest network"]
    assert section.anchor == "guest"
    assert "Use BWL-Guest." in section.text
    assert "* one item" in section.text
    for hidden in ("secret", "also hidden", "aria hidden", "var x"):
        assert hidden not in section.text


@pytest.mark.parametrize(
    ("text", "front_matter"),
    [
        ("---\ntitle: A\n...\nBody.", {"title": "A"}),
        ('+++\ntitle = "A"\nweight = 2\n+++\nBody.', {"title": "A", "weight": 2}),
        ('{\n  "title": "A",\n  "tags": ["x"]\n}\nBody.', {"title": "A", "tags": ["x"]}),
        ("\ufeff---\ntitle: A\n---\nBody.", {"title": "A"}),
    ],
)
def test_yaml_toml_and_json_front_matter_are_read_and_stripped(
    text: str, front_matter: dict[str, object]
) -> None:
    assert split_front_matter(text) == (front_matter, "Body.")


@pytest.mark.parametrize(
    "text",
    ["---\n\nBody.", "---\nWelcome aboard.\n---\nBody.", "-----\nBody.", "{{ x }}\nBody."],
)
def test_a_horizontal_rule_or_template_first_is_text_not_front_matter(text: str) -> None:
    assert split_front_matter(text) == ({}, text)


@pytest.mark.parametrize(
    "text",
    [
        '{\n  "title": "A",\n  "title": "B"\n}\nBody.',
        '+++\ntitle = "A"\ntitle = "B"\n+++\nBody.',
        "+++\naccess = [execs\n+++\nBody.",
        "---\n- access: [execs]\n- title: x\n---\nBody.",
    ],
)
def test_unreadable_toml_and_json_front_matter_is_refused(text: str) -> None:
    with pytest.raises(FrontMatterError):
        split_front_matter(text)


def test_html_meta_names_that_look_like_restrictions_are_refused() -> None:
    page = '<html><head><meta name="{}" content="execs"></head><p>Board text.</p></html>'
    for name in ("access", "Audience", "wikibot-groups", "confidentiality"):
        with pytest.raises(MetadataError, match=name):
            parse_html(page.format(name), fallback_title="f")
    for name in ("description", "viewport", "robots", "generator"):
        assert parse_html(page.format(name), fallback_title="f").sections
