"""The extractive answerer: the embedded default's answer writer (no LLM needed).

1. Evidence (bot/answer/evidence.py): the sentences of the retrieved chunks, each scored by
   its meaning (MiniLM cosine to the question, with its section heading as context) and by
   how much of the question's IDF weight it covers; features of the question and of each of
   the top three documents.
2. Decisions (bot/answer/decision.py, fitted on development sets): whether to answer
   (``answerable_p`` at or above the threshold), to say "not sure" and list the closest
   pages (above the lower ``related_threshold``), or to decline; and which documents to cite
   (the most probable one; a second when probable enough).
3. The answer quotes whole sentences of the cited documents, verbatim, with one citation
   per document section: it never cites a document it does not quote. The closest pages
   it does not cite follow as "see also" (``related``), so the asker sees the three
   closest pages whichever outcome it is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot import messages
from bot.answer.decision import DecisionModel
from bot.answer.evidence import (
    QuestionTerms,
    Vocabulary,
    document_features,
    document_order,
    question_features,
)
from bot.answer.follow_up import Focus
from bot.answer.llm import TokenCallback
from bot.answer.prompts import looks_like_instructions
from bot.answer.sentences import Candidate, Evidence, cosine, embedded_text, sentence_units
from bot.answer.signals import document_signals, question_signals
from bot.config import AnswerSettings
from bot.models import Answer, Citation, RetrievedChunk

EmbedMany = Callable[[list[str]], list[list[float]]]

NOT_FOUND = messages.NOT_IN_DOCUMENTS
CANDIDATE_DOCUMENTS = 3
SENTENCES_PER_DOCUMENT = 6
SENTENCE_CACHE = 4096
RELATED_PAGES = 3


class ExtractiveAnswerer:
    def __init__(
        self,
        *,
        settings: AnswerSettings,
        embed_many: EmbedMany,
        vocabulary: Callable[[], Vocabulary],
        model: DecisionModel,
    ) -> None:
        self.settings = settings
        self.embed_many = embed_many
        self.vocabulary = vocabulary
        self.model = model
        self._sentence_vectors: dict[str, list[float]] = {}  # a follow-up reads chunks twice

    def answer(
        self,
        question: str,
        query_embedding: list[float] | None,
        chunks: list[RetrievedChunk],
        *,
        on_token: TokenCallback | None = None,
        focus: Focus | None = None,
        evidence: Evidence | None = None,
    ) -> Answer:
        """The answer, posted whole (``on_token`` is not called: there is nothing to stream,
        and a partial update would only race the final message). For a follow-up, the
        quotes are the sentences that best answer its own words (``focus``)."""
        evidence = evidence or self.evidence(question, query_embedding, chunks)
        if focus is not None:
            self._refocus(evidence, focus)
        return self.decide(question, evidence)

    def _refocus(self, evidence: Evidence, focus: Focus) -> None:
        """Sentences re-ordered by how well they answer the whole conversation's question,
        the follow-up's own meaning and its own words (a third each); the decisions (answer
        or not, which documents) do not change."""
        wanted = QuestionTerms.of(focus.question, self.vocabulary())
        vectors = (
            self._embed([embedded_text(c) for c in evidence.sentences])
            if focus.embedding is not None
            else [None] * len(evidence.sentences)
        )
        keys = {}
        for c, vector in zip(evidence.sentences, vectors, strict=True):
            dense = cosine(focus.embedding, vector) if focus.embedding and vector else 0.0
            lexical = wanted.coverage(c.text, f"{c.chunk.title} {c.chunk.section}")
            keys[id(c)] = (c.score + dense + lexical) / 3
        evidence.sentences.sort(key=lambda c: keys[id(c)], reverse=True)

    def confidence(
        self, question: str, query_embedding: list[float] | None, chunks: list[RetrievedChunk]
    ) -> float:
        """The decision's probability that ``chunks`` answer ``question``."""
        evidence = self.evidence(question, query_embedding, chunks)
        return self.probability(evidence)

    def probability(self, evidence: Evidence) -> float:
        return self.model.question.probability(evidence.features) if evidence.sentences else 0.0

    def _embed(self, texts: list[str]) -> list[list[float]]:
        """Sentence vectors, the recently seen ones from a small cache shared by the answer
        threads: what this call needs is kept in its own dict, so another thread emptying
        the cache meanwhile cannot take a vector from under it."""
        cache = self._sentence_vectors
        known = {t: v for t in texts if (v := cache.get(t)) is not None}
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            fresh = dict(zip(missing, self.embed_many(missing), strict=True))
            known |= fresh
            if len(cache) + len(fresh) > SENTENCE_CACHE:
                cache.clear()
            cache.update(fresh)
        return [known[t] for t in texts]

    def evidence(
        self, question: str, query_embedding: list[float] | None, chunks: list[RetrievedChunk]
    ) -> Evidence:
        wanted = QuestionTerms.of(question, self.vocabulary())
        candidates = self._candidates(chunks, wanted)
        if candidates and query_embedding is not None:
            vectors = self._embed([embedded_text(c) for c in candidates])
            for candidate, vector in zip(candidates, vectors, strict=True):
                candidate.dense = cosine(query_embedding, vector)
        for c in candidates:
            c.score = 0.6 * c.dense + 0.4 * c.lexical
        candidates.sort(key=lambda c: c.score, reverse=True)
        best_by_doc: dict[str, float] = {}
        for c in candidates:
            best_by_doc.setdefault(c.chunk.doc_id, c.dense)
        documents = [
            (
                doc,
                document_features(doc, rank, wanted, chunks, best_by_doc)
                | document_signals(doc, wanted, chunks),
            )
            for rank, doc in enumerate(document_order(chunks)[:CANDIDATE_DOCUMENTS], 1)
        ]
        best_sentence = max((c.dense for c in candidates), default=0.0)
        best_coverage = max((c.lexical for c in candidates), default=0.0)
        features = question_features(wanted, chunks, best_sentence, best_coverage)
        features |= question_signals(question, wanted, chunks, [c.text for c in candidates])
        return Evidence(chunks, candidates, features, documents)

    def decide(self, question: str, evidence: Evidence) -> Answer:
        """Three outcomes: an answer (quotes, citations) when the decision is confident;
        "not sure" (no quote, up to three closest pages) when something related was found;
        the plain decline when nothing was."""
        p = self.probability(evidence)
        if p >= self.model.threshold:
            answer = self._compose(question, evidence, self.cited_documents(evidence))
            answer.related = self.closest_pages(evidence, answer.citations)
        elif p >= self.model.related_threshold and evidence.documents:
            answer = self.not_sure(question, evidence)
        else:
            answer = self.nothing_related(question, evidence.chunks)
        answer.answerable_p = round(p, 4)
        return answer

    def ranked_documents(self, evidence: Evidence) -> list[str]:
        """The candidate documents, most probable first (the document decision)."""
        scored = sorted(
            ((self.model.document.probability(f), doc) for doc, f in evidence.documents),
            key=lambda pair: -pair[0],
        )
        return [doc for _, doc in scored]

    def cited_documents(self, evidence: Evidence) -> list[str]:
        """The most probable document; the runner-up too when probable enough."""
        quotable = {c.chunk.doc_id for c in evidence.sentences}
        scored = sorted(
            (
                (self.model.document.probability(features), doc)
                for doc, features in evidence.documents
                if doc in quotable
            ),
            reverse=True,
        )
        if not scored:
            return [evidence.sentences[0].chunk.doc_id]
        chosen = [scored[0][1]]
        for p, doc in scored[1 : self.settings.max_citations]:
            if p >= self.model.second_threshold:
                chosen.append(doc)
        return chosen

    def closest_pages(
        self, evidence: Evidence, cited: Sequence[Citation] = ()
    ) -> list[Citation]:
        """The RELATED_PAGES closest documents, best first, less those ``cited``: with an
        answer, its "see also" (the asker sees the three closest pages either way, so a
        wrong first choice still shows the right page); numbered after the citations."""
        skip = {c.doc_id for c in cited}
        after = max((c.n for c in cited), default=0)  # an LLM's citations may skip numbers
        pages: list[Citation] = []
        for doc in self.ranked_documents(evidence)[:RELATED_PAGES]:
            if doc in skip:
                continue
            best = next((c.chunk for c in evidence.sentences if c.chunk.doc_id == doc), None)
            chunk = best or next(c for c in evidence.chunks if c.doc_id == doc)
            pages.append(Citation.of(after + len(pages) + 1, chunk))
        return pages

    def not_sure(self, question: str, evidence: Evidence) -> Answer:
        """No quote: the pages that look closest, best first, for the asker to check."""
        return Answer(
            question=question,
            text=messages.NOT_SURE,
            answered=False,
            related=self.closest_pages(evidence),
            retrieved=evidence.chunks,
        )

    def nothing_related(self, question: str, chunks: list[RetrievedChunk]) -> Answer:
        return Answer(question=question, text=NOT_FOUND, answered=False, retrieved=chunks)

    def _candidates(self, chunks: list[RetrievedChunk], wanted: QuestionTerms) -> list[Candidate]:
        """Per candidate document, its sentences that cover the question best."""
        documents = set(document_order(chunks)[:CANDIDATE_DOCUMENTS])
        per_doc: dict[str, list[Candidate]] = {}
        seen: set[str] = set()
        for rank, chunk in enumerate(chunks):
            if chunk.doc_id not in documents:
                continue
            context = f"{chunk.title} {chunk.section}"
            for order, unit in enumerate(sentence_units(chunk.text)):
                if unit in seen or looks_like_instructions(unit):
                    continue  # overlap between neighbouring chunks; text addressing an AI
                seen.add(unit)
                lexical = wanted.coverage(unit, context)
                candidate = Candidate(unit, rank, chunk, order, lexical=lexical)
                per_doc.setdefault(chunk.doc_id, []).append(candidate)
        found: list[Candidate] = []
        for candidates in per_doc.values():
            candidates.sort(key=lambda c: (c.lexical, -c.chunk_rank, -c.order), reverse=True)
            found.extend(candidates[:SENTENCES_PER_DOCUMENT])
        return found

    def _compose(self, question: str, evidence: Evidence, docs: list[str]) -> Answer:
        chosen: list[Candidate] = []
        for doc in docs:
            mine = [c for c in evidence.sentences if c.chunk.doc_id == doc]
            take = mine[:1] + [c for c in mine[1:3] if c.score >= mine[0].score * 0.85]
            if doc != docs[0]:
                take = take[:1]  # a second document adds its best sentence only
            chosen.extend(take[: max(1, self.settings.max_sentences - len(chosen))])
        # read in document order: by cited document, then position in the text
        chosen.sort(key=lambda c: (docs.index(c.chunk.doc_id), c.chunk_rank, c.order))
        citations: list[Citation] = []
        keys: dict[tuple[str, str], int] = {}
        lines = []
        for c in chosen:
            key = (c.chunk.doc_id, c.chunk.section)
            if key not in keys:
                keys[key] = len(citations) + 1
                citations.append(Citation.of(keys[key], c.chunk))
            quoted = "\n> ".join(c.text.splitlines())
            lines.append(f"> {quoted} [{keys[key]}]")
        text = messages.FROM_DOCUMENTS + "\n" + "\n".join(lines)
        return Answer(
            question=question,
            text=text,
            answered=True,
            citations=citations,
            retrieved=evidence.chunks,
        )
