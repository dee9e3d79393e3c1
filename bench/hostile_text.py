"""Time to read hostile text files (issue 27 follow-up, review item 3): unclosed markup and
long runs that made the old backtracking patterns super-linear. Each case is parsed in a
child process with a time limit (``--limit``, default 60 s), so the same command measures an
old checkout too (``--repo PATH``); a Markdown table for docs/benchmarks.md is printed.

    python -m bench.hostile_text [--limit 60] [--repo PATH]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from bench.common import REPO

CASES = {
    "Markdown: 120 KB of `<meta `": ("x.md", "'# T\\n\\n' + '<meta ' * 20_000"),
    "Markdown: 200 KB of unclosed `<!--`": ("x.md", "'# T\\n\\n' + '<!--' * 50_000"),
    "Markdown: 100 KB of unclosed `{{`": ("x.md", "'# T\\n\\n' + '{{' * 50_000"),
    "Markdown: a 200,000-line hard-wrapped paragraph": (
        "x.md",
        "'# T\\n\\n' + 'word\\n' * 200_000",
    ),
    "Markdown: a heading with 4,000 inner spaces": ("x.md", "'# a' + ' ' * 4_000 + 'b\\n\\nx\\n'"),
    "Markdown: 180 KB of `[a](`": ("x.md", "'# T\\n\\nx ' + '[a](' * 45_000"),
    "HTML: 120 KB of `<meta `": ("x.html", "'<p>x</p>' + '<meta ' * 20_000"),
    "HTML: 200 KB of unclosed `<!--`": ("x.html", "'<p>x</p>' + '<!--' * 50_000"),
    "HTML: 50,000 unclosed `<div>`": ("x.html", "'<p>x</p>' + '<div>a' * 50_000"),
}
CHILD = """
import sys, time
from connectors.parsing.files import parse_file
text = ({expression}).encode()
started = time.perf_counter()
try:
    parse_file({name!r}, text, fallback="x")
except Exception:
    pass
print(time.perf_counter() - started)
"""


def measure(repo: Path, name: str, expression: str, limit: float) -> str:
    code = CHILD.format(expression=expression, name=name)
    try:
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=limit,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return f"> {limit:g} s"
    return f"{float(done.stdout.strip()):.3f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=float, default=60.0, help="seconds per case")
    parser.add_argument("--repo", type=Path, default=REPO, help="the checkout to measure")
    args = parser.parse_args()
    print(f"| input ({time.strftime('%Y-%m-%d')}, {args.repo.name}) | parse time |")
    print("|---|---|")
    for label, (name, expression) in CASES.items():
        print(f"| {label} | {measure(args.repo, name, expression, args.limit)} |", flush=True)


if __name__ == "__main__":
    main()
