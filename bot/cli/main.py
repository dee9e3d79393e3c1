"""The `wikibot` command: index, ask, chat, eval, status (contract in ARCHITECTURE.md)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.app import App, build_app
from bot.cli.parsers import add_index_parsers, add_learning_parsers
from bot.config import load_settings
from bot.errors import ConfigurationError, report
from bot.index_admin.channel import CHANNEL_COMMANDS
from bot.log_privacy import cap_sdk_loggers
from indexing.errors import StoreBusyError

logger = logging.getLogger("wikibot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wikibot",
        description="Answers staff questions from the wiki and HR documents, with citations.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    add_index_parsers(sub)

    ask = sub.add_parser("ask", help="answer one question (or one per line from stdin with '-')")
    ask.add_argument("question", help="the question, or '-' to read one question per line")
    ask.add_argument("--json", action="store_true", help="print JSON (one object per line)")
    ask.add_argument(
        "--user",
        "--as",
        dest="user",
        default=None,
        metavar="USER",
        help="ask as this person (user id or e-mail), in their DM: documents shared with them "
        "or their groups, and their own HR figures when an HR source is configured; without "
        "it, public documents only",
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

    package = sub.add_parser(
        "teams-package", help="write the Teams app package (zip) from MICROSOFT_APP_ID"
    )
    package.add_argument("--out", type=Path, default=Path("wikibot-teams.zip"), metavar="ZIP")
    package.add_argument("--company", default="", help="the publisher's name shown in Teams")
    package.add_argument(
        "--company-url", default="", metavar="URL", help="https:// site (privacy/terms under it)"
    )
    package.add_argument("--privacy-url", default="", metavar="URL", help="the privacy statement")
    package.add_argument("--terms-url", default="", metavar="URL", help="the terms of use")
    package.add_argument(
        "--domain", default="", help="the bot's public host name, e.g. wikibot.example.com"
    )
    package.add_argument("--name", default="wikibot", help="the app's name in Teams")
    package.add_argument("--version", default="1.0.0", help="raise it for every re-upload")

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
    if args.command in {"ask", "chat", "serve"}:
        for warning in settings.warnings():
            print(f"warning: {warning}", file=sys.stderr)
    app: App | None = None
    try:
        if args.command in CHANNEL_COMMANDS and not settings.qdrant.url:
            # a running `wikibot serve` holds the embedded index: the command runs there
            from bot.index_admin.channel_client import run_in_serve

            code = run_in_serve(settings.data_dir, args)
            if code is not None:
                return code
        if args.command == "chat" and not settings.qdrant.url:
            from bot.index_admin.channel_client import busy_hint

            hint = busy_hint(settings.data_dir, "chat")  # said before the chat starts
            if hint:
                print(hint, file=sys.stderr)
                return 1
        app = build_app(settings)
        return _handler(args.command)(app, args)
    except KeyboardInterrupt:
        print("wikibot: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `wikibot sources | head -1`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # as a process killed by SIGPIPE, like other Unix tools
    except Exception as exc:
        print(f"wikibot: {report(exc, logger, args.command)}", file=sys.stderr)
        if isinstance(exc, StoreBusyError):
            from bot.index_admin.channel_client import busy_hint

            hint = busy_hint(settings.data_dir, args.command)
            if hint:
                print(hint, file=sys.stderr)
        return 2 if isinstance(exc, ConfigurationError) else 1  # docs/configuration.md
    finally:
        if app is not None:
            app.close_store()  # the embedded index is written through; this releases its lock


def entry() -> None:
    """The `wikibot` console script: :func:`main`, then exit at once. Everything is closed
    and flushed by then; what is left is the interpreter tearing down torch and its thread
    pools, which took ~2 s per command here (docs/benchmarks.md, "Start-up")."""
    from indexing.data_dir import private_umask

    private_umask()  # what it writes (the data dir above all) is its owner's alone
    code = main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # the reader left before the last lines: nothing to tell
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = code or 141
    sys.stderr.flush()
    logging.shutdown()
    os._exit(code)


def _handler(command: str) -> Callable[[App, argparse.Namespace], int]:
    """The command's function; its module (and the libraries it needs) loads only now."""
    if command in {"index", "sync", "status", "sources", "remove"}:
        from bot.cli.index import index_handler

        return index_handler(command)
    if command in {"feedback", "report", "finetune"}:
        from bot.cli import learning

        handlers = {"feedback": learning.feedback_command, "report": learning.report_command}
        return handlers.get(command, learning.finetune_command)
    if command == "eval":
        from bot.cli.evaluation import eval_command

        return eval_command
    handlers = {"ask": _ask, "chat": _chat, "serve": _serve}
    return handlers.get(command, _teams_package)


def _ask(app: App, args: argparse.Namespace) -> int:
    """Questions through the same pipeline as chat and serve, as the terminal's user: with
    --user, as that person in a DM (their restricted documents and HR figures)."""
    from bot.terminal.ask import ask_lines, ask_one

    questions = None if args.question == "-" else [args.question]
    if questions is None:
        return asyncio.run(ask_lines(app, sys.stdin, user=args.user, as_json=args.json))
    return asyncio.run(ask_one(app, args.question, user=args.user, as_json=args.json))


def _chat(app: App, args: argparse.Namespace) -> int:
    from bot.terminal.chat import run_chat

    async def chat() -> int:
        try:
            return await run_chat(app.pipeline, history=app.settings.data_dir / "chat_history")
        finally:
            await app.close()

    return asyncio.run(chat())


def _teams_package(app: App, args: argparse.Namespace) -> int:
    from bot.errors import InputError
    from bot.teams.app_package import manifest, write_package

    app_id = app.settings.teams.app_id
    if not app_id:
        raise InputError("set MICROSOFT_APP_ID (the Azure Bot's Microsoft App ID) first")
    company = args.company or "Your company"
    written = manifest(
        app_id,
        company=company,
        company_url=args.company_url,
        privacy_url=args.privacy_url,
        terms_url=args.terms_url,
        domain=args.domain,
        name=args.name,
        version=args.version,
    )
    write_package(args.out, written)
    print(f"wrote {args.out}: upload it in Teams (Apps > Manage your apps > Upload an app), or "
          "for everyone in the Teams admin center (README: Connect Teams)")
    return 0


def _serve(app: App, args: argparse.Namespace) -> int:
    from bot.serve.process import serve

    settings = app.settings
    finished = asyncio.run(
        serve(app, args.host or settings.server.host, args.port or settings.server.port)
    )
    if not finished:  # answers abandoned at the grace period: do not wait for their threads
        logging.shutdown()
        sys.stdout.flush()
        os._exit(0)
    return 0


if __name__ == "__main__":
    entry()
