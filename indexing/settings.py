"""The indexing side's own small settings models (bot/config.py composes them). Kept apart
from the modules that use them so reading settings never imports a model or a client."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, SecretStr

MINILM_ID = "sentence-transformers/all-MiniLM-L6-v2"


class EmbeddingConfig(BaseModel):
    backend: Literal["minilm", "openai"] = "minilm"
    model: str = MINILM_ID
    base_url: str | None = None
    api_key: SecretStr | None = None
    dimensions: int | None = None
    batch_size: int = 32
    quantize: bool = True  # MiniLM only: dynamic int8 Linear layers, ~2x faster on CPU


class QdrantConfig(BaseModel):
    url: str | None = None
    api_key: SecretStr | None = None
    collection: str = "wikibot"
    timeout_s: float = 10.0
    replication_factor: int = 1  # copies of each shard on a Qdrant cluster (>= 2 for HA)


@dataclass(frozen=True)
class ChunkingConfig:
    max_tokens: int = 200
    overlap_tokens: int = 40
