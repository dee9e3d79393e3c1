"""Time to first token on the LLM path, against a local llama.cpp server (SmolLM2-135M).

    python -m bench.llm_ttft [--rounds 3]

Indexes the demo handbook, starts the server (OMP_WAIT_POLICY=PASSIVE, 2 threads), and asks
the demo questions with streaming; reports time from the question to the first streamed
token (retrieval + extractive gate + prompt processing) and the total, p50/p95.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench.common import REPO, percentile
from bot.app import build_app
from bot.config import LLMSettings, load_settings
from connectors.folder import FolderConnector
from tests.support.indexing import index_now
from tests.support.llama_server import LlamaServer

QUESTIONS = [
    "How many vacation days do I get per year?",
    "Can I carry over unused vacation days?",
    "When do I need a doctor's note?",
    "What is the hotel limit on business trips?",
    "How long is the probation period?",
    "Who do I report harassment to?",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    server = LlamaServer()
    server.start()
    try:
        with tempfile.TemporaryDirectory() as data:
            llm = LLMSettings(model="smollm2", base_url=server.url, max_tokens=64)
            parts = build_app(load_settings(data_dir=Path(data), llm=llm))
            index_now(parts, [FolderConnector(REPO / "demo" / "handbook")])
            engine = parts.engine
            engine.ask(QUESTIONS[0])  # warm-up
            first, totals = [], []
            for question in QUESTIONS * args.rounds:
                started = time.perf_counter()
                seen: list[float] = []

                def on_token(_: str, started: float = started, seen: list[float] = seen) -> None:
                    if not seen:
                        seen.append(time.perf_counter() - started)

                engine.ask(question, on_token=on_token)
                totals.append((time.perf_counter() - started) * 1000)
                if seen:
                    first.append(seen[0] * 1000)
            parts.store.client.close()
    finally:
        server.stop()
    print(f"{len(totals)} streamed questions, {len(first)} reached the LLM")
    print(
        f"time to first token ms: p50 {percentile(first, 50):.0f}, p95 {percentile(first, 95):.0f}"
    )
    print(f"total ms: p50 {percentile(totals, 50):.0f}, p95 {percentile(totals, 95):.0f}")


if __name__ == "__main__":
    main()
