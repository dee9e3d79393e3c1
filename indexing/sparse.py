"""An offline BM25 sparse encoder for Qdrant (no model download).

Documents get BM25 term-frequency weights ``tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))``;
queries get weight 1 per term; Qdrant's ``Modifier.IDF`` supplies the inverse document
frequency from the collection at query time, so the score is BM25. Terms are lower-cased,
stop words dropped and lightly stemmed so "accrues"/"accrual"/"accrued" meet.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

STOP_WORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only
    or other our ours ourselves out over own same she should so some such than that the
    their theirs them themselves then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you
    your yours yourself yourselves get gets got also may might must shall us let much many
    i'm i've i'd i'll don't doesn't can't isn't aren't it's we're you're what's there's
    """.split()  # noqa: SIM905 - a word list reads best as text
)

# fmt: off
_SUFFIXES = (
    ("ational", "ate"), ("ization", "ize"), ("fulness", "ful"), ("iveness", "ive"),
    ("ements", ""), ("ement", ""), ("ments", ""), ("ment", ""), ("ings", ""), ("ing", ""),
    ("ies", "y"), ("ied", "y"), ("edly", ""), ("ed", ""), ("als", ""), ("al", ""),
    ("ers", ""), ("er", ""), ("ly", ""), ("es", ""), ("s", ""),
)
# fmt: on


def stem(word: str) -> str:
    """A small suffix stripper: crude, but the same on both sides of the match."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("'s"):
        word = word[:-2]
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            word = word[: -len(suffix)] + replacement
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]  # waive/waiver, schedule/scheduled meet
    return word


def terms(text: str) -> list[str]:
    """The indexed terms of a text, in order (duplicates kept)."""
    return [stem(w) for w in _WORD.findall(text.lower()) if w not in STOP_WORDS]


def term_id(term: str) -> int:
    return zlib.crc32(term.encode("utf-8")) & 0x7FFFFFFF


class BM25SparseEncoder:
    """Callable pair matching LlamaIndex's ``SparseEncoderCallable`` signature.

    ``VERSION`` is part of the index fingerprint: changing tokenisation means a rebuild."""

    VERSION = "bm25-v1"

    def __init__(self, *, k1: float = 1.2, b: float = 0.75, avg_doc_terms: float = 80.0) -> None:
        self.k1, self.b, self.avg_doc_terms = k1, b, avg_doc_terms

    def encode_documents(self, texts: list[str]) -> tuple[list[list[int]], list[list[float]]]:
        indices: list[list[int]] = []
        values: list[list[float]] = []
        for text in texts:
            counts = Counter(term_id(t) for t in terms(text))
            length = sum(counts.values()) or 1
            norm = self.k1 * (1 - self.b + self.b * length / self.avg_doc_terms)
            ids = sorted(counts)
            indices.append(ids)
            values.append([counts[i] * (self.k1 + 1) / (counts[i] + norm) for i in ids])
        return indices, values

    def encode_queries(self, texts: list[str]) -> tuple[list[list[int]], list[list[float]]]:
        indices: list[list[int]] = []
        values: list[list[float]] = []
        for text in texts:
            ids = sorted({term_id(t) for t in terms(text)})
            indices.append(ids)
            values.append([1.0] * len(ids))
        return indices, values
