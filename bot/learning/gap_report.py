"""The content-gap and quality report for wiki and HR document owners (`wikibot report`).

From the question log and the index: answer rate over time, the top unanswered questions
clustered by meaning, most-cited and never-cited documents, stale documents that are
often cited, and the feedback trend. As text, or as one self-contained HTML page whose
charts are PNGs embedded as data URIs (matplotlib, no network, no JavaScript).
"""

from __future__ import annotations

import base64
import html
import io
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

Embed = Callable[[list[str]], list[list[float]]]
STALE_DAYS = 365
MAX_COMMENTS = 30
# control characters (C0, DEL, C1: terminal escape sequences, line breaks that forge report
# lines) and bidirectional overrides: what people typed is shown escaped, never obeyed
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: object) -> str:
    """``text`` with every control character written as an escape (``\\x1b``)."""
    return CONTROL.sub(
        lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}",
        str(text),
    )


@dataclass
class GapReport:
    days: list[str] = field(default_factory=list)
    asked: list[int] = field(default_factory=list)
    answered: list[int] = field(default_factory=list)
    up: list[int] = field(default_factory=list)
    down: list[int] = field(default_factory=list)
    unanswered: list[tuple[str, int, list[str]]] = field(default_factory=list)
    most_cited: list[tuple[str, int]] = field(default_factory=list)
    never_cited: list[str] = field(default_factory=list)
    stale: list[tuple[str, str, int]] = field(default_factory=list)  # doc, updated, citations
    comments: list[tuple[str, str]] = field(default_factory=list)  # question, what was wrong
    total: int = 0

    @property
    def answer_rate(self) -> float:
        return sum(self.answered) / self.total if self.total else 0.0


def build_report(
    entries: list[dict[str, Any]], documents: dict[str, dict[str, str]], embed: Embed
) -> GapReport:
    """``documents``: doc id -> {"title", "updated_at"} for everything in the index."""
    answers = [e for e in entries if e.get("kind") == "answer"]
    report = GapReport(total=len(answers))
    by_day: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for entry in answers:
        day = _day(entry["ts"])
        by_day[day][0] += 1
        by_day[day][1] += int(bool(entry.get("answered")))
    latest: dict[tuple[str, str], dict[str, Any]] = {}  # each person's last vote per answer
    for entry in entries:
        if entry.get("kind") == "vote":
            latest[(entry.get("id", ""), entry.get("user", ""))] = entry
    for entry in latest.values():
        by_day[_day(entry["ts"])][2 if entry.get("vote") == "up" else 3] += 1
    asked_by_id = {e.get("id"): e.get("question", "") for e in answers}
    report.comments = [
        (asked_by_id.get(v.get("id"), "?"), str(v["reason"]))
        for v in sorted(latest.values(), key=lambda v: -float(v.get("ts") or 0))
        if v.get("vote") == "down" and v.get("reason")
    ][:MAX_COMMENTS]
    for day in sorted(by_day):
        asked, answered, up, down = by_day[day]
        report.days.append(day)
        report.asked.append(asked)
        report.answered.append(answered)
        report.up.append(up)
        report.down.append(down)
    report.unanswered = _clusters([e["question"] for e in answers if not e.get("answered")], embed)
    cited = Counter(d for e in answers for d in e.get("cited_doc_ids", []))
    label = {d: info.get("title") or d for d, info in documents.items()}
    report.most_cited = [(label.get(d, d), n) for d, n in cited.most_common(10)]
    report.never_cited = sorted(label[d] for d in documents if d not in cited)
    cutoff = time.time() - STALE_DAYS * 86400
    for doc, n in cited.most_common():
        updated = (documents.get(doc) or {}).get("updated_at") or ""
        if updated and _timestamp(updated) < cutoff and n >= 2:
            report.stale.append((label.get(doc, doc), updated[:10], n))
    return report


def _day(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%d")


def _timestamp(value: str) -> float:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return time.time()
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()


def _clusters(
    questions: list[str], embed: Embed, threshold: float = 0.72
) -> list[tuple[str, int, list[str]]]:
    """Greedy clustering by cosine similarity: (a representative, size, examples)."""
    if not questions:
        return []
    counts = Counter(q.strip() for q in questions)
    distinct = list(counts)
    vectors = embed(distinct)
    groups: list[tuple[list[float], list[str]]] = []
    for question, vector in sorted(
        zip(distinct, vectors, strict=True), key=lambda x: -counts[x[0]]
    ):
        for centre, members in groups:
            if sum(a * b for a, b in zip(centre, vector, strict=True)) >= threshold:
                members.append(question)
                break
        else:
            groups.append((vector, [question]))
    ranked = [(members[0], sum(counts[m] for m in members), members) for _, members in groups]
    return sorted(ranked, key=lambda r: -r[1])[:15]


def render_text(report: GapReport) -> str:
    p = printable
    lines = [
        f"{report.total} questions, answer rate {report.answer_rate:.0%}",
        "top unanswered (clustered):",
        *(f"  {n:4d}  {p(q)}" for q, n, _ in report.unanswered),
        "most cited:",
        *(f"  {n:4d}  {p(d)}" for d, n in report.most_cited),
        f"never cited: {len(report.never_cited)} document(s)",
        "stale but often cited:",
        *(f"  {n:4d}  {p(d)} (updated {p(u)})" for d, u, n in report.stale),
        "what people said was wrong or missing (👎 comments, newest first):",
        *(f"  {p(q)}: {p(c)}" for q, c in report.comments),
    ]
    return "\n".join(lines)


def render_html(report: GapReport) -> str:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    def png(fig: Any) -> str:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
        plt.close(fig)
        encoded = base64.b64encode(buffer.getvalue()).decode()
        return f'<img alt="chart" src="data:image/png;base64,{encoded}">'

    rates = [a / n if n else 0 for a, n in zip(report.answered, report.asked, strict=True)]
    fig, ax = plt.subplots(figsize=(8, 3))
    ax.plot(report.days, rates, marker="o")
    ax.set_ylim(0, 1)
    ax.set_title("Answer rate per day")
    ax.tick_params(axis="x", rotation=45)
    rate_chart = png(fig)
    fig, ax = plt.subplots(figsize=(8, 3))
    ax.bar(report.days, report.up, label="helpful", color="#2e7d32")
    ax.bar(report.days, report.down, bottom=report.up, label="not helpful", color="#c62828")
    ax.set_title("Feedback per day")
    ax.legend()
    ax.tick_params(axis="x", rotation=45)
    feedback_chart = png(fig)
    fig, ax = plt.subplots(figsize=(8, 3.5))
    titles = [d[:50] for d, _ in reversed(report.most_cited)]
    ax.barh(titles or ["(none)"], [n for _, n in reversed(report.most_cited)] or [0])
    ax.set_title("Most cited documents")
    cited_chart = png(fig)

    def table(head: list[str], rows: list[list[Any]]) -> str:
        cells = "".join(
            "<tr>" + "".join(f"<td>{html.escape(printable(c))}</td>" for c in row) + "</tr>"
            for row in rows
        )
        header = "".join(f"<th>{html.escape(h)}</th>" for h in head)
        return f"<table><tr>{header}</tr>{cells}</table>"

    unanswered = [[n, q, "; ".join(m[1:4])] for q, n, m in report.unanswered]
    return f"""<!doctype html><html><head><meta charset="utf-8">
<title>wikibot content-gap report</title>
<style>body{{font-family:sans-serif;max-width:960px;margin:2em auto}}
table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;padding:4px 8px;
text-align:left}}img{{max-width:100%}}</style></head><body>
<h1>wikibot: content gaps and answer quality</h1>
<p>{report.total} questions from {report.days[0] if report.days else "-"} to
{report.days[-1] if report.days else "-"}; answered {report.answer_rate:.0%}.</p>
{rate_chart}
<h2>Top unanswered questions (grouped by meaning)</h2>
<p>What staff ask and the documents do not answer: write or fix these pages first.</p>
{table(["times", "question", "similar"], unanswered)}
<h2>Feedback</h2>{feedback_chart}
<p>What people said was wrong or missing (👎 comments, newest first):</p>
{table(["question", "comment"], [list(c) for c in report.comments])}
<h2>Most cited documents</h2>{cited_chart}
<h2>Stale but often cited</h2>
<p>Not updated for over {STALE_DAYS} days, yet answers keep citing them: review them.</p>
{table(["document", "updated", "citations"], [list(s) for s in report.stale])}
<h2>Never cited ({len(report.never_cited)})</h2>
<p>Indexed but never used in an answer: outdated, duplicated, or hard to find?</p>
{table(["document"], [[d] for d in report.never_cited[:200]])}
</body></html>"""
