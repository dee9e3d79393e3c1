"""The LLM answer writer: grounded, cited, checked, and never worse than extractive.

1. The extractive writer's evidence and decision run first (the same ranking and decision
   as without an LLM): "not sure" or "nothing related" is returned as is, no LLM called.
2. Otherwise the LLM gets the numbered, delimited, neutralised sources, in the decision's
   order (its most probable documents first), and the question; if it replies NOT_FOUND,
   the answer is "not sure" with the same closest pages.
3. After generation only [n] markers that point at given sources are kept; sources not
   cited are dropped from the citations (they stay in ``retrieved``); a reply with no valid
   citation counts as not answered unless the model said NOT_FOUND. The closest pages it
   does not cite are its "see also", as with an extractive answer.
4. If the LLM fails or times out, the extractive answer is returned, saying so.
"""

from __future__ import annotations

import re
import time

from bot.answer.extractive import ExtractiveAnswerer
from bot.answer.follow_up import Focus
from bot.answer.llm import WRITING_STARTED, LLMClient, LLMError, TokenCallback
from bot.answer.prompts import NOT_FOUND_TOKEN, answer_messages, source_block
from bot.models import Answer, Citation, RetrievedChunk

_MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
FALLBACK_NOTE = "(The language model is unavailable right now, so here are the passages.)"


def check_citations(text: str, count: int) -> tuple[str, list[int]]:
    """Keep only markers 1..count (``[1, 2]`` becomes ``[1][2]``); return text and cited."""
    cited: list[int] = []

    def keep(match: re.Match[str]) -> str:
        numbers = [int(n) for n in match.group(1).split(",")]
        valid = [n for n in numbers if 1 <= n <= count]
        cited.extend(n for n in valid if n not in cited)
        return "".join(f"[{n}]" for n in valid)

    checked = _MARKER.sub(keep, text)
    return re.sub(r"[ \t]+([.,;:])", r"\1", checked).strip(), sorted(cited)


class GenerativeAnswerer:
    def __init__(self, *, llm: LLMClient, extractive: ExtractiveAnswerer) -> None:
        self.llm = llm
        self.extractive = extractive

    def confidence(
        self, question: str, query_embedding: list[float] | None, chunks: list[RetrievedChunk]
    ) -> float:
        return self.extractive.confidence(question, query_embedding, chunks)

    def answer(
        self,
        question: str,
        query_embedding: list[float] | None,
        chunks: list[RetrievedChunk],
        *,
        on_token: TokenCallback | None = None,
        focus: Focus | None = None,
    ) -> Answer:
        evidence = self.extractive.evidence(question, query_embedding, chunks)
        extractive = self.extractive.answer(
            question, query_embedding, chunks, focus=focus, evidence=evidence
        )  # no stream
        if not extractive.answered:
            return extractive  # not sure, or nothing related: no LLM call
        # the passages in the decision's order: its most probable documents first
        ranked = self.extractive.ranked_documents(evidence)
        order = {doc: i for i, doc in enumerate(ranked)}
        in_order = sorted(chunks, key=lambda c: order.get(c.doc_id, len(order)))
        sources = _distinct_sources(in_order)
        blocks = [source_block(n, c.title, c.section, c.text) for n, c in enumerate(sources, 1)]
        started = time.perf_counter()
        if on_token is not None:
            on_token(WRITING_STARTED)
        try:
            usage: dict[str, int] = {}
            reply = self.llm.complete(
                answer_messages(question, blocks), on_token=on_token, usage=usage
            )
        except LLMError:
            extractive.text = f"{FALLBACK_NOTE}\n{extractive.text}"
            extractive.writer = "extractive-fallback"
            return extractive
        llm_ms = (time.perf_counter() - started) * 1000
        text, cited = check_citations(reply, len(sources))
        if reply.strip().upper().startswith(NOT_FOUND_TOKEN) or not cited:
            answer = self.extractive.not_sure(question, evidence)  # the same closest pages
        else:
            citations = [Citation.of(n, sources[n - 1]) for n in cited]
            answer = Answer(
                question=question,
                text=text,
                answered=True,
                citations=citations,
                related=self.extractive.closest_pages(evidence, citations),
                retrieved=chunks,
            )
        answer.writer = "llm"
        answer.answerable_p = extractive.answerable_p
        answer.timings_ms["llm"] = llm_ms
        answer.llm_tokens = usage
        return answer


def _distinct_sources(chunks: list[RetrievedChunk]) -> list[RetrievedChunk]:
    """One source per chunk, in retrieval order (chunks of one section merged)."""
    merged: dict[tuple[str, str], RetrievedChunk] = {}
    for chunk in chunks:
        key = (chunk.doc_id, chunk.section)
        if key in merged:
            merged[key] = merged[key].model_copy(
                update={"text": merged[key].text + "\n" + chunk.text}
            )
        else:
            merged[key] = chunk
    return list(merged.values())
