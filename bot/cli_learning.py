"""The learning loop on the command line: `wikibot feedback export`, `wikibot report` and
`wikibot finetune export`, all reading the question log in Redis (bot/question_log.py)."""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import sys
from pathlib import Path
from typing import Any

from bot.app import Components
from bot.errors import SourceError
from bot.finetune_export import MIN_RECOMMENDED, build_export, validate_chat_lines
from bot.gap_report import build_report, render_html, render_text
from bot.shared_state import build_shared_state
from indexing.index_reads import indexed_documents, public_chunks


def add_parsers(sub: Any) -> None:
    feedback = sub.add_parser("feedback", help="the feedback and question log")
    feedback_sub = feedback.add_subparsers(dest="action", required=True)
    export = feedback_sub.add_parser(
        "export", help="👎 and not-found questions as qa.jsonl evaluation candidates"
    )
    export.add_argument("--out", type=Path, help="write here instead of stdout")
    export.add_argument(
        "--all", action="store_true", help="the whole question log (users hashed) as JSONL"
    )
    report = sub.add_parser("report", help="content gaps and answer quality for document owners")
    report.add_argument("--html", type=Path, metavar="FILE", help="a self-contained HTML page")
    finetune = sub.add_parser("finetune", help="fine-tuning data from liked answers")
    finetune_sub = finetune.add_subparsers(dest="action", required=True)
    ft = finetune_sub.add_parser("export", help="train/validation JSONL in a chat format")
    ft.add_argument("--format", choices=["openai-chat"], default="openai-chat")
    ft.add_argument("--raft", action="store_true", help="cited chunks + distractors in the prompt")
    ft.add_argument("--out-dir", type=Path, default=Path("finetune"), metavar="DIR")


def _entries(components: Components) -> list[dict[str, Any]]:
    settings = components.settings
    if not settings.redis.url:
        raise SourceError("the question log lives in Redis: set REDIS_URL to the bot's Redis")

    async def read() -> list[dict[str, Any]]:
        state = build_shared_state(settings.redis, settings.limits, settings.log)
        try:
            return await state.question_log.entries()
        finally:
            await state.close()

    return asyncio.run(read())


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


def feedback_command(components: Components, args: argparse.Namespace) -> int:
    entries = _entries(components)
    rows = entries if args.all else candidates(entries)
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        what = "log entries" if args.all else "evaluation candidate(s)"
        print(f"wrote {len(rows)} {what} to {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def report_command(components: Components, args: argparse.Namespace) -> int:
    entries = _entries(components)
    embedder = components.embedder
    documents = indexed_documents(components.store)
    report = build_report(entries, documents, embedder.embed_short)
    if args.html:
        args.html.write_text(render_html(report), encoding="utf-8")
        print(f"wrote {args.html} ({report.total} questions)")
    else:
        print(render_text(report))
    return 0


def finetune_command(components: Components, args: argparse.Namespace) -> int:
    entries = _entries(components)
    lookup = functools.partial(public_chunks, components.store)
    export = build_export(entries, raft=args.raft, chunks=lookup)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    problems = []
    for name, rows in (("train", export.train), ("validation", export.validation)):
        path = args.out_dir / f"{name}.jsonl"
        lines = [json.dumps(r, ensure_ascii=False) for r in rows]
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        problems += [f"{path}: {p}" for p in validate_chat_lines(lines)]
    print(
        f"wrote {len(export.train)} training and {len(export.validation)} validation "
        f"example(s) to {args.out_dir}/ (skipped: {export.skipped})"
    )
    if export.total < MIN_RECOMMENDED:
        print(
            f"warning: {export.total} example(s); fine-tuning needs about {MIN_RECOMMENDED} or "
            "more to be worth it (collect more 👍 first)",
            file=sys.stderr,
        )
    for problem in problems:
        print(f"invalid: {problem}", file=sys.stderr)
    return 1 if problems else 0
