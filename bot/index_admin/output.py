"""Where an admin operation's output goes: this process's terminal (stdout, stderr and a
progress bar per source), or, for a command run inside `wikibot serve`, the admin channel
that carries the same lines and progress back to the terminal that asked."""

from __future__ import annotations

import sys
from typing import Any, Protocol

from bot.index_admin.progress import Progress, ProgressListener


class Output(Protocol):
    def out(self, text: str) -> None:
        """A line of the command's result (stdout)."""

    def err(self, text: str) -> None:
        """A warning, a failure or a note (stderr)."""

    @property
    def progress(self) -> ProgressListener | None:
        """Called from the indexing thread; None when nobody watches (not a terminal)."""

    def end_progress(self) -> None:
        """The run is over: progress bars close before the summary lines."""


class ProgressBars:
    """One progress bar per source on this process's stderr, counting the documents that are
    embedded (or fail): unchanged ones leave the bar's total, so its rate is the embedding's,
    not how fast a listing of unchanged files goes by."""

    def __init__(self) -> None:
        self.bars: dict[str, Any] = {}

    def update(self, progress: Progress) -> None:
        from tqdm import tqdm

        bar = self.bars.get(progress.source)
        if bar is None:
            bar = tqdm(total=progress.total, unit="doc", desc=progress.source, file=sys.stderr)
            self.bars[progress.source] = bar
        done = progress.read - progress.unchanged
        if progress.total is not None:
            bar.total = max(progress.total - progress.unchanged, done)
        bar.update(done - bar.n)
        bar.set_postfix(chunks=progress.chunks, unchanged=progress.unchanged)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()
        self.bars.clear()


class TerminalOutput:
    """This process's stdout and stderr; progress bars only when stderr is a terminal."""

    def __init__(self) -> None:
        self.bars = ProgressBars()
        self.watching = sys.stderr.isatty()

    def out(self, text: str) -> None:
        print(text, flush=True)

    def err(self, text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    @property
    def progress(self) -> ProgressListener | None:
        return self.bars.update if self.watching else None

    def end_progress(self) -> None:
        self.bars.close()
