"""Where a cold `wikibot ask` spends its time: this process (start it fresh) builds the
parts in the order an ask needs them and times each phase; one line per phase, Markdown,
for docs/benchmarks.md. Point it at a copy of an index (the ask writes its question log in
the data dir).

    WIKIBOT_DATA_DIR=/tmp/copy-of-an-index python -m bench.cold_ask_phases [QUESTION]
"""

from __future__ import annotations

import sys
import time

STARTED = time.perf_counter()


def main() -> None:
    marks: list[tuple[str, float]] = []

    def mark(label: str) -> None:
        marks.append((label, time.perf_counter()))

    import bot.cli.main  # the command's own imports
    import bot.terminal.ask  # noqa: F401
    from bot.app import build_app
    from bot.config import load_settings

    mark("imports: the command, settings, the ask surface")
    app = build_app(load_settings())
    _ = app.pipeline
    mark("the pipeline (shared state, sources, personal answers)")
    app.store.current_collection()
    mark("the index opened (qdrant_client; local mode loads every point)")
    _ = app.embedder
    mark("the embedding model (torch, weights, int8)")
    engine = app.answer_engine
    mark("the answer engine (retriever, decision model)")
    engine.retriever.vocabulary()
    mark("the index vocabulary")
    question = sys.argv[1] if len(sys.argv) > 1 else "How many vacation days do I get per year?"
    answer = engine.ask(question)
    mark(f"one answer ({answer.timings_ms.get('embed', 0):.0f} ms query embedding)")
    print("| phase | ms |\n|---|---|")
    previous = STARTED
    for label, at in marks:
        print(f"| {label} | {(at - previous) * 1000:.0f} |")
        previous = at
    print(f"| **total (without interpreter start)** | {(previous - STARTED) * 1000:.0f} |")
    app.close_store()


if __name__ == "__main__":
    main()
