"""Full index of a corpus, then an unchanged re-index, with the embedder's own speed.

    python bench/index_throughput.py [CORPUS_DIR]     (default: ../shared/corpora/18f-handbook)

The embedder's passages/s is measured in the same process on the same chunk texts
(a sample of 256), so pipeline overhead = 1 - (chunks / embedder passages/s) / total seconds.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

from bench.common import CORPORA, peak_rss_mb
from bot.app import build_app
from bot.config import load_settings
from connectors.folder import FolderConnector
from indexing.chunking import chunk_document


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else CORPORA / "18f-handbook"
    with tempfile.TemporaryDirectory() as data:
        parts = build_app(load_settings(data_dir=Path(data)))
        embedder = parts.embedder
        # the embedder alone, on real chunk texts of this corpus
        texts = []
        for batch in FolderConnector(corpus).load():
            for doc in batch.documents:
                for chunk in chunk_document(doc, count_tokens=embedder.count_tokens):
                    texts.append(f"{doc.title}\n{chunk.section}\n\n{chunk.text}")
        sample = random.Random(0).sample(texts, min(256, len(texts)))
        embedder.embed_batch(sample[:32])  # warm up
        started = time.perf_counter()
        embedder.embed_batch(sample)
        passages_per_s = len(sample) / (time.perf_counter() - started)

        pipeline = parts.index_pipeline()
        full = pipeline.run([FolderConnector(corpus)], full=True)
        again = pipeline.run([FolderConnector(corpus)])
        ideal = full.chunks_embedded / passages_per_s
        print(f"corpus: {corpus.name}")
        print(f"full index: {full.line()}")
        print(f"  chunks/s through the pipeline: {full.chunks_embedded / full.seconds:.1f}")
        print(f"  embedder alone: {passages_per_s:.1f} passages/s ({ideal:.1f} s for these chunks)")
        print(f"  pipeline overhead: {(1 - ideal / full.seconds) * 100:.1f}% of the run")
        print(f"  time inside embed calls: {full.embed_seconds:.1f} s")
        print(
            f"unchanged re-index: {again.seconds:.2f} s "
            f"({again.seconds / full.seconds * 100:.1f}% of the full index)"
        )
        print(f"peak RSS: {peak_rss_mb():.0f} MB")
        parts.store.client.close()


if __name__ == "__main__":
    main()
