"""The `wikibot` command: index, ask, chat, eval, status (contract in ARCHITECTURE.md)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import logging
import socket
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.app import Components
from bot.config import Settings, load_settings
from bot.errors import SourceError, report
from bot.evaluation import evaluate, load_qa
from bot.groups import GroupDirectory
from bot.index_runs import describe_last_run, record_run
from bot.locks import run_locked
from bot.models import PUBLIC, Viewer
from bot.pipeline import QuestionPipeline
from bot.redis_health import RedisUnavailableError
from bot.render import render_terminal
from bot.shared_state import build_shared_state
from bot.terminal_chat import run_chat
from connectors.folder import FolderConnector
from indexing.lock import IndexLock
from indexing.pipeline import IndexSummary

logger = logging.getLogger("wikibot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wikibot",
        description="Answers staff questions from the wiki and HR documents, with citations.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    index = sub.add_parser("index", help="index folders of documents (incremental)")
    index.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="folders of Markdown, HTML, text and PDF files",
    )
    index.add_argument(
        "--full",
        action="store_true",
        help="rebuild into a new collection; the old one serves until it is done",
    )

    ask = sub.add_parser("ask", help="answer one question (or one per line from stdin with '-')")
    ask.add_argument("question", help="the question, or '-' to read one question per line")
    ask.add_argument("--json", action="store_true", help="print JSON (one object per line)")
    ask.add_argument(
        "--user",
        default=None,
        help="ask as this user id: also search documents shared with them or their groups "
        "(WIKIBOT_GROUPS_FILE); without it, public documents only",
    )

    sub.add_parser("chat", help="a terminal chat over the same pipeline")

    ev = sub.add_parser("eval", help="retrieval and answer metrics over a qa.jsonl file")
    ev.add_argument("qa", type=Path, metavar="QA.jsonl")
    ev.add_argument("--json", action="store_true", help="print the metrics and rows as JSON")

    sub.add_parser("status", help="what is indexed")

    serve = sub.add_parser("serve", help="the HTTP server: Slack events, /healthz, /readyz")
    serve.add_argument("--host", default=None, help="default WIKIBOT_SERVER__HOST or 127.0.0.1")
    serve.add_argument(
        "--port", type=int, default=None, help="default WIKIBOT_SERVER__PORT or 3000"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except ValueError as exc:
        print(f"wikibot: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    components = Components(settings)
    try:
        handler = {"index": _index, "ask": _ask, "chat": _chat, "eval": _eval, "status": _status}
        handler["serve"] = _serve
        return handler[args.command](components, args)
    except KeyboardInterrupt:
        print("wikibot: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        print(f"wikibot: {report(exc, logger, args.command)}", file=sys.stderr)
        return 1


def _index(components: Components, args: argparse.Namespace) -> int:
    settings: Settings = components.settings
    connectors = []
    for path in args.paths:
        if not path.is_dir():
            raise SourceError(f"not a folder: {path}")
        connectors.append(FolderConnector(path, limits=settings.folder_limits))
    total = sum(len(c.files()) for c in connectors)
    bar = None
    if sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=total, unit="doc", desc="indexing", file=sys.stderr)

    def progress(read: int, chunks: int) -> None:
        if bar is not None:
            bar.update(read - bar.n)
            bar.set_postfix(chunks=chunks)

    def run() -> IndexSummary:
        # the file lock comes before opening the store, so a second run hears who holds it
        with IndexLock(settings.index_lock_path):
            pipeline = components.index_pipeline(caller_holds_lock=True)
            try:
                return pipeline.run(connectors, full=args.full, progress=progress)
            finally:
                if bar is not None:
                    bar.close()

    # with Redis (replicas, CronJobs) one reindex at a time everywhere, not just this host
    locked = settings.redis.url
    summary = asyncio.run(_run_with_reindex_lock(settings, run)) if locked else run()
    for failed in summary.errors:
        print(f"  failed: {failed.source}: {failed.reason}", file=sys.stderr)
    if summary.empty:
        print(
            f"  skipped {len(summary.empty)} empty document(s) (e.g. {summary.empty[0].source}: "
            f"{summary.empty[0].reason})",
            file=sys.stderr,
        )
    record_run(settings.data_dir, by=f"{getpass.getuser()} (wikibot index)", summary=summary)
    print(("rebuilt " if summary.full else "indexed ") + summary.line())
    return 0


async def _run_with_reindex_lock(
    settings: Settings, run: Callable[[], IndexSummary]
) -> IndexSummary:
    state = build_shared_state(settings.redis, settings.limits)
    holder = f"{getpass.getuser()}@{socket.gethostname()} (wikibot index)"
    try:
        return await run_locked(
            state.reindex_lock, holder, run, extend_every_s=settings.redis.reindex_lock_ttl_s / 3
        )
    except RedisUnavailableError:
        raise SourceError(
            "cannot take the reindex lock: Redis is unavailable (REDIS_URL); not indexing"
        ) from None
    finally:
        await state.close()


def _ask(components: Components, args: argparse.Namespace) -> int:
    engine = components.engine
    viewer = PUBLIC
    if args.user:
        groups = GroupDirectory.load(components.settings.groups_file)
        viewer = Viewer(user=args.user, groups=groups.groups_of("cli", args.user))
    if args.question != "-":
        answer = engine.ask(args.question, viewer=viewer)
        print(
            json.dumps(answer.to_json(), ensure_ascii=False)
            if args.json
            else render_terminal(answer)
        )
        return 0
    status = 0
    for line in sys.stdin:
        question = line.strip()
        if not question:
            continue
        try:
            answer = engine.ask(question, viewer=viewer)
            out = answer.to_json() if args.json else render_terminal(answer)
        except Exception as exc:
            status = 1
            message = report(exc, logger, "question")
            out = {"question": question, "error": message} if args.json else message
        print(json.dumps(out, ensure_ascii=False) if args.json else f"{out}\n", flush=True)
    return status


def _chat(components: Components, args: argparse.Namespace) -> int:
    settings = components.settings
    state = build_shared_state(settings.redis, settings.limits)
    pipeline = QuestionPipeline(
        engine=components.engine, state=state, admins=set(settings.limits.admins)
    )
    return asyncio.run(run_chat(pipeline, state))


def _eval(components: Components, args: argparse.Namespace) -> int:
    report = evaluate(components.engine, load_qa(args.qa))
    metrics = report.metrics()
    if args.json:
        print(json.dumps({"metrics": metrics, "rows": report.rows}, ensure_ascii=False))
    else:
        for row in report.rows:
            mark = (
                "ok "
                if (row["cited_gold"] if row["answerable"] else not row["answered"])
                else "MISS"
            )
            print(f"{mark} {row['id']}: {row['question']}  cited={row['cited']}")
        print(json.dumps(metrics, indent=2))
    return 0


def _serve(components: Components, args: argparse.Namespace) -> int:
    from bot.server import serve

    settings = components.settings
    asyncio.run(
        serve(settings, args.host or settings.server.host, args.port or settings.server.port)
    )
    return 0


def _status(components: Components, args: argparse.Namespace) -> int:
    store = components.store
    collection = store.current_collection()
    if collection is None:
        print("nothing indexed yet: run `wikibot index PATH`")
        return 0
    print(f"index {store.alias} -> collection {collection}: {store.count()} chunks")
    for name, count in sorted(store.sources().items()):
        print(f"  source {name}: {count} chunks")
    print(describe_last_run(components.settings.data_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
