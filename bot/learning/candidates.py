"""Evaluation candidates from the question log: what an admin should look at and label."""

from __future__ import annotations

from typing import Any


def candidates(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Disliked and not-found questions, shaped like qa.jsonl for an admin to correct
    (fill in ``sources`` and ``answer``, set ``answerable``) and feed to `wikibot eval`."""
    latest = {e["id"]: e for e in entries if e.get("kind") == "vote"}  # the last vote counts
    down = {k: v.get("reason", "") for k, v in latest.items() if v.get("vote") == "down"}
    rows, seen = [], set()
    for entry in entries:
        if entry.get("kind") != "answer" or entry.get("question") in seen:
            continue
        if entry.get("answered") and entry["id"] not in down:
            continue
        seen.add(entry.get("question"))
        rows.append(
            {
                "id": f"log-{entry['id'][:12]}",
                "question": entry["question"],
                "answer_given": entry.get("answer", ""),
                "why": "not found" if not entry.get("answered") else "thumbs down",
                "reason": down.get(entry["id"], ""),
                "retrieved_sources": list(
                    dict.fromkeys(r["source"] for r in entry.get("retrieved", []))
                ),
                "sources": [],
                "answer": "",
                "answerable": False,
                "needs_review": True,
            }
        )
    return rows
