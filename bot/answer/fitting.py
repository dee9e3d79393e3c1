"""Fitting the decision model on labelled questions, and scoring a model on others.

A record is what the answer writer saw for one development question (its evidence features
and its top documents' features) plus the labels from qa.jsonl (answerable, gold sources).
The same records serve leave-one-corpus-out evaluation (bench/generalization.py) and an
admin's re-fit on their own questions (`wikibot eval QA.jsonl --fit`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.answer.decision import DecisionModel, LogisticModel
from bot.answer.evidence import DOCUMENT_FEATURES, QUESTION_FEATURES

# declining an answerable question costs this many wrongly answered unanswerable ones (it
# still shows the closest pages, so less than before "not sure" existed: 3.0 then)
WRONG_DECLINE_COST = 1.5
SECOND_CITATION_COST = 0.1  # cited-gold a second citation must buy, per question
RELATED_MISS = 0.0  # share of answerable training questions allowed below "not sure"
RELATED_PAGES = 3


@dataclass
class Record:
    group: str  # the corpus (or file) the question comes from
    answerable: bool
    features: dict[str, float]
    documents: list[tuple[str, dict[str, float]]]  # (source path, features), retrieval order
    gold: set[str] = field(default_factory=set)
    retrieved: set[str] = field(default_factory=set)  # sources of all retrieved chunks


def fit(records: Sequence[Record], *, groups: Sequence[str] = ()) -> DecisionModel:
    question = LogisticModel.fit(
        QUESTION_FEATURES, [r.features for r in records], [r.answerable for r in records]
    )
    threshold = _threshold(question, records)
    doc_rows, doc_labels = [], []
    for r in records:
        if r.answerable:
            for source, features in r.documents:
                doc_rows.append(features)
                doc_labels.append(source in r.gold)
    document = LogisticModel.fit(DOCUMENT_FEATURES, doc_rows, doc_labels)
    model = DecisionModel(question, threshold, document, 1.0, fitted_on=list(groups))
    model.second_threshold = _second_threshold(model, records)
    model.related_threshold = _related_threshold(question, records, threshold)
    return model


def _related_threshold(model: LogisticModel, records: Sequence[Record], top: float) -> float:
    """Below this probability the bot declines outright ("nothing related"): the highest
    value that leaves at most RELATED_MISS of the answerable training questions below it."""
    answerable = sorted(model.probability(r.features) for r in records if r.answerable)
    if not answerable:
        return 0.0
    allowed = int(RELATED_MISS * len(answerable))
    return min(top, max(0.0, answerable[allowed] - 1e-6))


def _threshold(model: LogisticModel, records: Sequence[Record]) -> float:
    """The threshold maximising (share of unanswerable training questions declined) minus
    WRONG_DECLINE_COST x (share of answerable ones declined)."""
    answerable = [model.probability(r.features) for r in records if r.answerable]
    unanswerable = [model.probability(r.features) for r in records if not r.answerable]
    if not answerable or not unanswerable:
        return 0.5
    best, best_value = 0.05, -math.inf
    for candidate in sorted({0.05, *(p + 1e-6 for p in answerable + unanswerable)}):
        declined = sum(p < candidate for p in unanswerable) / len(unanswerable)
        wrongly = sum(p < candidate for p in answerable) / len(answerable)
        value = declined - WRONG_DECLINE_COST * wrongly
        if value > best_value + 1e-9:
            best, best_value = candidate, value
    return max(0.05, min(0.95, best))


def _second_threshold(model: DecisionModel, records: Sequence[Record]) -> float:
    best, best_value = 1.01, -1.0
    for candidate in [i / 40 for i in range(4, 41)] + [1.01]:
        model.second_threshold = candidate
        m = score(model, records)
        value = m["cited_gold"] - SECOND_CITATION_COST * (m["cited_per_answer"] - 1)
        if value > best_value + 1e-9:
            best, best_value = candidate, value
    return best


def cited(model: DecisionModel, record: Record) -> list[str]:
    """The sources the writer would cite (same rule as ExtractiveAnswerer.cited_documents)."""
    scored = sorted(((model.document.probability(f), s) for s, f in record.documents), reverse=True)
    if not scored:
        return []
    chosen = [scored[0][1]]
    chosen += [s for p, s in scored[1:3] if p >= model.second_threshold]
    return chosen


def related(model: DecisionModel, record: Record) -> list[str]:
    """The pages "not sure" lists (same rule as ExtractiveAnswerer.ranked_documents)."""
    scored = sorted(
        ((model.document.probability(f), s) for s, f in record.documents), key=lambda p: -p[0]
    )
    return [s for _, s in scored[:RELATED_PAGES]]


def see_also(model: DecisionModel, record: Record, sources: list[str]) -> list[str]:
    """An answer's "see also": the related pages it does not cite (ExtractiveAnswerer.
    closest_pages)."""
    return [s for s in related(model, record) if s not in sources]


def outcome(model: DecisionModel, record: Record) -> str:
    """"answer", "not sure" or "nothing" (the three outcomes of the writer)."""
    p = model.question.probability(record.features)
    if p >= model.threshold:
        return "answer"
    return "not sure" if p >= model.related_threshold and record.documents else "nothing"


def score(model: DecisionModel, records: Sequence[Record]) -> dict[str, float]:
    """The acceptance metrics: strict cited-gold (an answer citing a gold source), gold
    shown (cited, or among the related pages: of "not sure", or an answer's "see also"),
    unanswerable questions answered with quotes, answerable ones with neither an answer nor
    the gold page among related, sources and "see also" pages per answer; and, for
    reference, the older ones."""
    answerable = [r for r in records if r.answerable]
    unanswerable = [r for r in records if not r.answerable]
    cited_gold = shown = neither = declined = wrongly = 0
    cited_counts: list[int] = []
    see_also_counts: list[int] = []
    for r in records:
        kind = outcome(model, r)
        answered = kind == "answer"
        if not r.answerable:
            declined += not answered
            continue
        wrongly += not answered
        if answered:
            sources = cited(model, r)
            also = see_also(model, r, sources)
            cited_counts.append(len(sources))
            see_also_counts.append(len(also))
            cited_gold += bool(r.gold & set(sources))
            shown += bool(r.gold & {*sources, *also})
        else:
            listed = bool(kind == "not sure" and r.gold & set(related(model, r)))
            shown += listed
            neither += not listed
    for r in unanswerable:
        if outcome(model, r) == "answer":
            cited_counts.append(len(cited(model, r)))
            see_also_counts.append(len(see_also(model, r, cited(model, r))))
    n = max(len(answerable), 1)
    return {
        "questions": len(records),
        "cited_gold": cited_gold / n,
        "gold_shown": shown / n,
        "unanswerable_answered": (
            1 - declined / len(unanswerable) if unanswerable else 0.0
        ),
        "neither": neither / n,
        "gold_in_retrieved": sum(bool(r.gold & r.retrieved) for r in answerable) / n,
        "declined_unanswerable": declined / len(unanswerable) if unanswerable else 1.0,
        "wrongly_declined": wrongly / n,
        "cited_per_answer": sum(cited_counts) / len(cited_counts) if cited_counts else 0.0,
        "see_also_per_answer": (
            sum(see_also_counts) / len(see_also_counts) if see_also_counts else 0.0
        ),
    }


def record_of(
    group: str,
    row: dict[str, object],
    evidence_documents: list[tuple[str, dict[str, float]]],
    features: dict[str, float],
    sources: dict[str, str],
) -> Record:
    """A record from a qa.jsonl row and the writer's evidence (doc ids mapped to sources)."""
    gold = {str(s) for s in row.get("sources") or []}  # type: ignore[attr-defined]
    return Record(
        group=group,
        answerable=bool(row.get("answerable", bool(gold))),
        features=features,
        documents=[(sources.get(doc, doc), f) for doc, f in evidence_documents],
        gold=gold,
        retrieved=set(sources.values()),
    )
