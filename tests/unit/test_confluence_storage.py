"""Confluence storage format -> sections: macros, tables, links, breadcrumbs."""

from __future__ import annotations

from connectors.confluence.storage import storage_sections, storage_to_html
from tests.support.confluence_pages import INCIDENTS, ONBOARDING


def _text(storage: str) -> str:
    sections = storage_sections(storage, title="Page", breadcrumb=["Space home"])
    return "\n".join(s.text for s in sections)


def test_headings_become_sections_under_the_breadcrumb() -> None:
    sections = storage_sections(ONBOARDING, title="Onboarding", breadcrumb=["Engineering"])
    paths = [s.heading_path for s in sections]
    assert paths == [
        ["Engineering", "Onboarding"],
        ["Engineering", "Onboarding", "Laptops"],
        ["Engineering", "Onboarding", "VPN set-up"],
    ]
    assert all(s.anchor == "" for s in sections)  # citations link to the page itself


def test_tables_read_as_labelled_rows() -> None:
    text = _text(ONBOARDING)
    assert "Role: Backend engineer; Laptop: ThinkPad X1 Carbon, 32 GB" in text
    assert "Role: Designer; Laptop: MacBook Pro 14, 36 GB" in text
    headerless = "<table><tr><td><p>a</p></td><td>b</td></tr></table>"
    assert _text(headerless) == "a; b"


def test_code_panels_expand_and_links() -> None:
    text = _text(ONBOARDING + INCIDENTS)
    assert "wiregate connect --profile office-berlin && wiregate status" in text  # CDATA kept
    assert "Info:\nThe VPN profile expires every 90 days" in text
    assert "Warning (Never skip the status page):\nPost a status page update" in text
    assert "Postmortem template\nEvery SEV1 gets a blameless postmortem" in text
    assert "Read the Incident response page" in text  # a bare page link shows the title
    assert "maxLevel" not in text and "bash" not in text.split()  # parameters never leak
    assert "language" not in text


def test_link_bodies_images_and_unknown_macros() -> None:
    storage = (
        '<p>See <ac:link><ri:page ri:content-title="X"/><ac:plain-text-link-body>'
        "<![CDATA[the expenses page]]></ac:plain-text-link-body></ac:link>.</p>"
        '<ac:image><ri:attachment ri:filename="chart.png"/></ac:image>'
        '<ac:structured-macro ac:name="details"><ac:parameter ac:name="id">x1</ac:parameter>'
        "<ac:rich-text-body><p>Owner: the people team</p></ac:rich-text-body>"
        "</ac:structured-macro>"
        '<p>Done <ac:emoticon ac:name="smile"/> &amp; dusted</p>'
    )
    text = _text(storage)
    assert text == "See the expenses page.\nOwner: the people team\nDone & dusted"
    assert "<" not in storage_to_html("<p>a &lt;b&gt;</p>").replace("<p>", "").replace("</p>", "")
