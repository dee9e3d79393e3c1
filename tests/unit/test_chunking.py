import pytest

from connectors.base import Section, SourceDocument
from indexing.chunking import approximate_tokens, chunk_document, split_sentences


def _doc(*sections: Section) -> SourceDocument:
    return SourceDocument(
        id="s:doc.md",
        title="Doc",
        source="doc.md",
        source_name="s",
        content_hash="h",
        text="\n".join(s.text for s in sections),
        sections=list(sections),
    )


def test_chunks_respect_the_token_limit_and_keep_heading_paths() -> None:
    long_text = " ".join(f"Sentence number {i} talks about vacation accrual." for i in range(120))
    doc = _doc(
        Section(heading_path=["Benefits", "Vacation"], text=long_text, anchor="vacation"),
        Section(
            heading_path=["Benefits", "Sick leave"], text="Ten sick days a year.", anchor="sick"
        ),
    )
    chunks = chunk_document(doc, max_tokens=60, overlap_tokens=15)
    assert len(chunks) > 5
    assert all(approximate_tokens(c.text) <= 60 + 15 for c in chunks)
    assert chunks[0].section == "Benefits > Vacation"
    assert chunks[-1].section == "Benefits > Sick leave"
    assert chunks[-1].anchor == "sick"
    assert [c.index for c in chunks] == list(range(len(chunks)))


def test_consecutive_chunks_overlap() -> None:
    text = " ".join(f"Fact {i} is about the expense policy limits." for i in range(40))
    chunks = chunk_document(_doc(Section(text=text)), max_tokens=50, overlap_tokens=20)
    first_last = chunks[0].text.splitlines()[-1]
    assert first_last in chunks[1].text


def test_no_text_is_lost() -> None:
    text = " ".join(f"Item{i} word." for i in range(300))
    chunks = chunk_document(_doc(Section(text=text)), max_tokens=40, overlap_tokens=10)
    joined = " ".join(c.text for c in chunks)
    assert all(f"Item{i} " in joined + " " for i in range(300))


def test_overlap_must_be_smaller_than_size() -> None:
    with pytest.raises(ValueError):
        chunk_document(_doc(Section(text="x")), max_tokens=10, overlap_tokens=10)


def test_sentences_and_list_items_are_split() -> None:
    assert split_sentences("One sentence. Two here!\n* item a\n- item b") == [
        "One sentence.",
        "Two here!",
        "* item a",
        "- item b",
    ]
