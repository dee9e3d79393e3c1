"""The learning loop on the command line: `wikibot feedback export`, `wikibot report` and
`wikibot finetune export`, all reading the question log: in Redis
(bot/state/question_log.py), or without Redis the data directory's file
(bot/state/question_file.py)."""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import sys
from typing import Any

from bot.app import App
from bot.config import redact_url
from bot.errors import SourceError
from bot.learning.candidates import candidates
from bot.learning.finetune_export import MIN_RECOMMENDED, build_export, validate_chat_lines
from bot.learning.gap_report import build_report, render_html, render_text
from bot.state.health import RedisUnavailableError
from indexing.index_reads import indexed_documents, public_chunks


def _entries(app: App) -> list[dict[str, Any]]:
    """The question log: the Redis stream with REDIS_URL, else the data directory's file."""
    settings = app.settings
    if not settings.redis.url and not settings.question_log_path.exists():
        raise SourceError(
            f"no questions logged yet in {settings.question_log_path} (ask some with "
            "`wikibot ask` or `wikibot chat`); a bot that uses Redis logs there: set REDIS_URL"
        )

    async def read() -> list[dict[str, Any]]:
        try:
            return await app.state.question_log.entries()
        except RedisUnavailableError:
            raise SourceError(
                f"cannot read the question log: Redis at {redact_url(settings.redis.url or '')} "
                "is unreachable (REDIS_URL)"
            ) from None
        finally:
            await app.close()

    return asyncio.run(read())


def feedback_command(app: App, args: argparse.Namespace) -> int:
    entries = _entries(app)
    rows = entries if args.all else candidates(entries)
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        what = "log entries" if args.all else "evaluation candidate(s)"
        print(f"wrote {len(rows)} {what} to {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def report_command(app: App, args: argparse.Namespace) -> int:
    entries = _entries(app)
    embedder = app.embedder
    documents = indexed_documents(app.store)
    report = build_report(entries, documents, embedder.embed_short)
    if args.html:
        args.html.write_text(render_html(report), encoding="utf-8")
        print(f"wrote {args.html} ({report.total} questions)")
    else:
        print(render_text(report))
    return 0


def finetune_command(app: App, args: argparse.Namespace) -> int:
    entries = _entries(app)
    lookup = functools.partial(public_chunks, app.store)
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
