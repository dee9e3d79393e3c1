"""Follow-ups decided by evidence, not by words (without an LLM).

In a conversation, a question may lean on the one before ("and for part-timers?", "does it
roll over?") or be a new one ("is there a company gym?"). The words only say whether a
question *could* lean on the previous one: it opens like a continuation ("and", "what
about"), refers back ("it", "they", "that"), or names fewer than two topic words of its own.
A question that does none of these reads as complete and is never merged.

For a question that could lean back, both readings are searched and weighed by the answer
decision's own probability (the question alone; the previous question and this one
together, with the previous answer's documents boosted). The combination is used only when
it is clearly better than the question alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.answer.evidence import PADDING
from bot.models import RetrievedChunk, Turn
from indexing.sparse import terms

FOLLOW_UP_BOOST = 1.15  # retrieval score factor for the previous answer's documents
CLEARLY_BETTER = 0.1  # how much more probable the combined reading must be
MAX_CONTEXT_WORDS = 40  # of the earlier conversation carried into a combined query
_CONTINUATION = re.compile(
    r"^(?:and|also|or|but|plus|so|then|what about|how about|what if|same|and what about)\b",
    re.I,
)
_REFERENCE = re.compile(
    r"\b(?:it|its|they|them|their|that|those|this|these|he|she|his|her|one|ones)\b", re.I
)


def topic_terms(question: str) -> list[str]:
    """The question's own topic words (no stop words, no chat filler, no numbers)."""
    return [t for t in dict.fromkeys(terms(question)) if t not in PADDING and not t.isdigit()]


def could_follow(question: str) -> bool:
    """True when the question may lean on the previous one; False when it reads as complete
    on its own (such a question is never merged)."""
    stripped = question.strip().lstrip("@").strip()
    return bool(
        _CONTINUATION.match(stripped)
        or _REFERENCE.search(stripped)
        or len(topic_terms(stripped)) < 2
    )


def combined_query(question: str, previous: Turn) -> str:
    """The previous question (as it was searched, when it was itself a follow-up) and this
    one, as one query."""
    earlier = (previous.standalone or previous.question).split()[-MAX_CONTEXT_WORDS:]
    return " ".join([*earlier, question])


def boost_previous(chunks: list[RetrievedChunk], previous: Turn) -> list[RetrievedChunk]:
    """The previous answer's documents ranked a little higher (a follow-up's likely home)."""
    cited = set(previous.cited_doc_ids)
    if not cited:
        return chunks
    for chunk in chunks:
        if chunk.doc_id in cited:
            chunk.score *= FOLLOW_UP_BOOST
    return sorted(chunks, key=lambda c: c.score, reverse=True)


@dataclass
class Focus:
    """What a follow-up adds: its own words and their embedding. Its documents come from
    the combined reading; its quotes are the sentences that answer these words."""

    question: str
    embedding: list[float] | None


@dataclass
class Reading:
    """One way of reading the question: the query searched, its chunks, its probability."""

    query: str
    search: str
    embedding: list[float] | None
    chunks: list[RetrievedChunk]
    answerable_p: float
    follow_up: bool
    focus: Focus | None = None


def choose(alone: Reading, combined: Reading) -> Reading:
    """The combined reading only when it is clearly better than the question alone."""
    if combined.answerable_p >= alone.answerable_p + CLEARLY_BETTER:
        combined.focus = Focus(alone.search, alone.embedding)
        return combined
    return alone
