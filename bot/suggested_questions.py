"""Questions to suggest to someone who has not asked anything yet (the Slack assistant pane's
suggested prompts): the configured ones; else the questions most asked in the question log;
else the index's newest public document titles.

Everyone sees the suggestions, so a logged question is suggested only when it is safe to show
anyone: asked by at least ``min_askers`` different people (no one's single question is shown
back), answered, and answered from documents everyone may read (a question answered from a
restricted document could reveal what that document is about); and it says nothing the
public documents do not (:func:`shareable`): plain words only, every one of them found in
the public documents, so no link, address, mention or name that only some people know
(three accounts asking about a phishing link, or staff naming a confidential project, put
it in nobody's pane). The public vocabulary is read once per index generation.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import Counter, defaultdict
from collections.abc import Hashable
from typing import TYPE_CHECKING

from indexing.index_generation import PerIndexGeneration, index_generation
from indexing.index_reads import (
    public_chunks,
    public_document_titles,
    public_vocabulary,
    vocabulary_words,
)

if TYPE_CHECKING:
    from bot.app import App

logger = logging.getLogger(__name__)
MAX_SUGGESTIONS = 4
TITLE_CHARS = 45  # what the pane shows of each; the whole question is sent
GENERIC_TITLES = {"readme", "index", "home", "contents", "table of contents", "untitled"}
MAX_QUESTION_CHARS = 120
MAX_QUESTION_WORDS = 20
# a word: letters and digits, joined by an apostrophe or hyphen, then at most one of ?!., ;
# anything else (a URL's :/., @, #, <>, |, *, `, zero-width or control characters) refuses
PLAIN_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*[?!.,]?")
# question and function words, allowed though a handbook may not use them: no name, address
# or link can be made of these
QUESTION_WORDS = frozenset(
    {
        *("i", "me", "my", "mine", "we", "us", "our", "you", "your", "a", "an", "the"),
        *("is", "are", "am", "was", "were", "be", "been", "do", "does", "did", "can"),
        *("could", "should", "would", "may", "might", "must", "how", "what", "when"),
        *("where", "who", "whom", "whose", "which", "why", "much", "many", "of", "to"),
        *("in", "on", "at", "for", "from", "with", "by", "about", "per", "get", "got"),
        *("have", "has", "had", "and", "or", "if", "it", "its", "this", "that", "these"),
        *("those", "there", "any", "some", "not", "no", "yes"),
    }
)


def shareable(question: str, vocabulary: frozenset[str]) -> bool:
    """Whether a logged question may be shown to everyone: short, plain words only, and every
    word (but single letters and question words) found in the public documents."""
    if len(question) > MAX_QUESTION_CHARS or not question.isprintable():
        return False
    tokens = question.split(" ")
    if len(tokens) > MAX_QUESTION_WORDS:
        return False
    for token in tokens:
        if not PLAIN_WORD.fullmatch(token):
            return False
        for word in vocabulary_words(token):
            if len(word) > 1 and word not in QUESTION_WORDS and word not in vocabulary:
                return False
    return True


def prompt(question: str, title: str = "") -> dict[str, str]:
    title = title or question
    short = title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1].rstrip() + "…"
    return {"title": short, "message": question}


def normalised(question: str) -> str:
    return re.sub(r"[\s?!.]+$", "", " ".join(question.split()).casefold())


class SuggestedQuestions:
    def __init__(
        self, app: App, configured: list[str], *, min_askers: int = 3, ttl_s: float = 600
    ) -> None:
        self.app, self.configured = app, [q.strip() for q in configured if q.strip()]
        self.min_askers, self.ttl_s = min_askers, ttl_s
        self.cached: tuple[Hashable, float, list[dict[str, str]]] | None = None
        self.vocabulary = PerIndexGeneration(
            lambda: public_vocabulary(app.store), self.generation
        )

    def generation(self) -> Hashable:
        return index_generation(self.app.store, self.app.sync_states)

    async def get(self) -> list[dict[str, str]]:
        """Up to four {"title", "message"} prompts (cached for ``ttl_s`` within one index
        generation); [] on failure."""
        if self.configured:
            return [prompt(q) for q in self.configured[:MAX_SUGGESTIONS]]
        generation: Hashable = None
        try:
            generation = await asyncio.to_thread(self.generation)
            cached = self.cached
            if cached and cached[0] == generation and time.monotonic() - cached[1] < self.ttl_s:
                return cached[2]
            found = await self.most_asked() or await asyncio.to_thread(self.from_titles)
        except Exception as exc:  # suggestions are a nicety: never in the way of the pane
            logger.warning("could not work out suggested questions: %s", type(exc).__name__)
            found = []
        self.cached = (generation, time.monotonic(), found)
        return found

    async def most_asked(self) -> list[dict[str, str]]:
        entries = [
            e
            for e in await self.app.state.question_log.entries()
            if e.get("kind", "answer") == "answer" and e.get("answered") and e.get("question")
            and e.get("user")
        ]
        askers: dict[str, set[str]] = defaultdict(set)
        asked: Counter[str] = Counter()
        wording: dict[str, str] = {}
        cited: dict[str, set[str]] = defaultdict(set)
        for entry in entries:
            key = normalised(entry["question"])
            askers[key].add(str(entry.get("user", "")))
            asked[key] += 1
            wording.setdefault(key, " ".join(entry["question"].split()))
            cited[key] |= set(entry.get("cited_chunk_ids") or [])
        shared = [k for k, _ in asked.most_common() if len(askers[k]) >= self.min_askers]
        if not shared:
            return []
        vocabulary = await asyncio.to_thread(self.vocabulary.get)
        shared = [k for k in shared if shareable(wording[k], vocabulary)]
        if not shared:
            return []
        all_cited = sorted(set().union(*(cited[k] for k in shared)))
        public = await asyncio.to_thread(public_chunks, self.app.store, all_cited)
        safe = [k for k in shared if cited[k] and cited[k] <= public.keys()]
        return [prompt(wording[k]) for k in safe[:MAX_SUGGESTIONS]]

    def from_titles(self) -> list[dict[str, str]]:
        titles = [
            title
            for title, _ in public_document_titles(self.app.store)
            if title.casefold() not in GENERIC_TITLES and len(title) > 2
        ]
        return [prompt(f"Tell me about {t}", t) for t in titles[:MAX_SUGGESTIONS]]
