"""`wikibot index|sync|status|sources|remove` in the CLI's own process: the operations of
bot/index_admin/operations.py on the index opened here, printed on this terminal. (When a
`wikibot serve` holds the embedded index, bot/cli/main.py sends these commands to it over
the admin channel instead.)"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable

from bot.app import App
from bot.index_admin.operations import OPERATIONS
from bot.index_admin.output import TerminalOutput


def index_handler(command: str) -> Callable[[App, argparse.Namespace], int]:
    operation = OPERATIONS[command]

    def handle(app: App, args: argparse.Namespace) -> int:
        async def run() -> int:
            try:
                return await operation(app, args, TerminalOutput())
            finally:
                await app.close()

        return asyncio.run(run())

    return handle
