"""The `wikibot` command: index, ask, chat, eval, status (contract in ARCHITECTURE.md)."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.app import Components
from bot.cli_index import add_parsers, index_command, status_command, sync_command
from bot.cli_learning import add_parsers as add_learning_parsers
from bot.cli_learning import feedback_command, finetune_command, report_command
from bot.config import load_settings
from bot.errors import report
from bot.evaluation import evaluate, load_qa
from bot.groups import GroupDirectory
from bot.log_privacy import cap_sdk_loggers
from bot.models import PUBLIC, Viewer
from bot.pipeline import QuestionPipeline
from bot.render import render_terminal
from bot.shared_state import build_shared_state
from bot.terminal_chat import run_chat

logger = logging.getLogger("wikibot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wikibot",
        description="Answers staff questions from the wiki and HR documents, with citations.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    add_parsers(sub)

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
    ev.add_argument(
        "--min-hit",
        type=float,
        metavar="RATE",
        help="gate: exit 3 if the gold source is retrieved for fewer answerable questions",
    )
    ev.add_argument(
        "--min-decline",
        type=float,
        metavar="RATE",
        help="gate: exit 3 if fewer unanswerable questions are declined",
    )
    ev.add_argument(
        "--fit",
        action="store_true",
        help="re-fit the answer/decline decisions on this file (written to the data dir)",
    )
    add_learning_parsers(sub)

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
    cap_sdk_loggers()  # SDK loggers carry prompts and bodies: WARNING and above only
    components = Components(settings)
    try:
        handler = {"index": index_command, "sync": sync_command, "status": status_command}
        handler.update(ask=_ask, chat=_chat, eval=_eval, serve=_serve)
        handler.update(feedback=feedback_command, report=report_command)
        handler["finetune"] = finetune_command
        return handler[args.command](components, args)
    except KeyboardInterrupt:
        print("wikibot: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        print(f"wikibot: {report(exc, logger, args.command)}", file=sys.stderr)
        return 1


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
    state = build_shared_state(settings.redis, settings.limits, settings.log)
    pipeline = QuestionPipeline(
        engine=components.engine, state=state, admins=set(settings.limits.admins)
    )
    return asyncio.run(run_chat(pipeline, state))


def _eval(components: Components, args: argparse.Namespace) -> int:
    if args.fit:
        return _fit(components, args)
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
    failed = [
        f"{name} {metrics[name]} < {minimum}"
        for name, minimum in (
            ("retrieved_gold", args.min_hit),
            ("declined_unanswerable", args.min_decline),
        )
        if minimum is not None and metrics[name] < minimum
    ]
    if failed:  # CI or a CronJob blocks a bad index or configuration on this
        print(f"wikibot: below the gate: {'; '.join(failed)}", file=sys.stderr)
        return 3
    return 0


def _fit(components: Components, args: argparse.Namespace) -> int:
    """Re-fit the answer decisions on the admin's own labelled questions."""
    from bot.answer.fitting import fit, score
    from bot.evaluation import gather_records

    rows = load_qa(args.qa)
    records = gather_records(components.engine, rows, args.qa.name)
    answerable = sum(r.answerable for r in records)
    if answerable < 5 or answerable == len(records):
        print(
            f"wikibot: {args.qa} has {answerable} answerable and {len(records) - answerable} "
            "unanswerable question(s); fitting needs at least 5 answerable and 1 unanswerable "
            "(about 30 and 5 to be worth it)",
            file=sys.stderr,
        )
        return 2
    model = fit(records, groups=[str(args.qa)])
    path = components.settings.decision_model_path
    model.save(path)
    m = score(model, records)
    print(
        f"wrote {path}: fitted on {len(records)} questions; on those same questions (optimistic): "
        f"cited-gold {m['cited_gold']:.2f}, declined unanswerable "
        f"{m['declined_unanswerable']:.2f}, wrongly declined {m['wrongly_declined']:.2f}, "
        f"{m['cited_per_answer']:.2f} sources per answer. Delete the file to return to the "
        "shipped model."
    )
    if len(records) < 40:
        print("warning: fewer than 40 questions; the fit may not carry over", file=sys.stderr)
    return 0


def _serve(components: Components, args: argparse.Namespace) -> int:
    from bot.serve_main import serve

    settings = components.settings
    finished = asyncio.run(
        serve(settings, args.host or settings.server.host, args.port or settings.server.port)
    )
    if not finished:  # answers abandoned at the grace period: do not wait for their threads
        logging.shutdown()
        sys.stdout.flush()
        os._exit(0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
