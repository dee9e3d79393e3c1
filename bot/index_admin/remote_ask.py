"""`wikibot ask` answered by a running `wikibot serve`: the serving pipeline (its index, its
models, its LLM settings) answers, as the terminal's `ask` would in the CLI's own process
(bot/terminal/ask.py: the same event, the same JSON from ``Answer.to_json()``), and the
lines go back over the admin channel. The client sends one question per request (`ask -`
sends one request per line of its stdin)."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from bot.index_admin.output import Output

if TYPE_CHECKING:
    from bot.app import App


async def answer_question(app: App, args: argparse.Namespace, out: Output) -> int:
    """Print one answer as `ask` does; ``args.one`` is False for a line of `ask -`, whose
    failures go into the stream of JSON objects rather than to stderr."""
    from bot.terminal.ask import collect_answer
    from bot.terminal.render import render_terminal

    question, as_json, one = args.question, args.json, getattr(args, "one", True)
    reply = await collect_answer(app, question, args.user)
    if reply.answer is None:
        error = reply.error or " ".join(reply.notes) or "the question is empty"
        if as_json and not one:
            out.out(json.dumps({"question": question, "error": error}, ensure_ascii=False))
        else:
            out.err(f"wikibot: {error}")
        return 1
    if as_json:
        out.out(json.dumps(reply.answer.to_json(), ensure_ascii=False))
    else:
        out.out("\n\n".join([render_terminal(reply.answer), *reply.notes]))
    return 0
