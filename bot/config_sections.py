"""The sections of Settings for the answer path, shared state and logs (bot/config.py
composes them with the chat, indexing and connector sections)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator

from indexing.settings import ChunkingConfig


class RetrievalSettings(BaseModel):
    # chosen leave-one-corpus-out (docs/benchmarks.md, bench/generalization.py)
    mode: Literal["hybrid", "dense", "sparse"] = "hybrid"
    top_k: int = Field(default=6, ge=1, le=50)
    candidates: int = Field(default=20, ge=1, le=200)


class AnswerSettings(BaseModel):
    max_citations: int = Field(default=3, ge=1, le=10)
    max_sentences: int = Field(default=4, ge=1, le=12)
    # whether to answer at all is the decision model's (bot/answer/decision.py), not a setting


class LLMSettings(BaseModel):
    """An OpenAI-compatible chat endpoint (OpenAI, Azure OpenAI, vLLM, Ollama, llama.cpp).
    Enabled by setting a model; without one, answers are extractive."""

    model: str = ""
    base_url: str | None = None
    api_key: SecretStr | None = None
    timeout_s: float = Field(default=30.0, gt=0, le=600)  # connect, and silence between bytes
    first_token_timeout_s: float = Field(default=20.0, gt=0, le=600)  # until the first token
    total_timeout_s: float = Field(default=60.0, gt=0, le=1800)  # the whole call, retries included
    max_retries: int = Field(default=2, ge=0, le=10)
    max_tokens: int = Field(default=512, ge=16, le=8192)  # asked for, and enforced while streaming
    temperature: float = Field(default=0.1, ge=0.0, le=2.0)

    @property
    def enabled(self) -> bool:
        return bool(self.model)


class RedisSettings(BaseModel):
    """Shared state for replicas. Unset URL: in-process state (single process only)."""

    url: str | None = None
    socket_timeout_s: float = Field(default=0.25, gt=0, le=10)
    retry_interval_s: float = Field(default=1.0, ge=0, le=60)
    memory_turns: int = Field(default=10, ge=1, le=100)
    memory_ttl_s: int = Field(default=24 * 3600, ge=60)
    dedupe_ttl_s: int = Field(default=900, ge=600)
    reindex_lock_ttl_s: int = Field(default=1800, ge=30)


class LimitSettings(BaseModel):
    """Questions allowed per window, per user and per workspace; admins are exempt."""

    user_per_window: int = Field(default=20, ge=1)
    workspace_per_window: int = Field(default=300, ge=1)
    window_s: int = Field(default=60, ge=1)
    admins: list[str] = Field(default_factory=list, examples=[["U012ABC"]])


class HRSettings(BaseModel):
    """Personal HR answers: an export file (CSV/JSON) or an HRIS API (BambooHR style)."""

    export_path: Path | None = None
    api_url: str | None = None
    api_key: SecretStr | None = None
    timeout_s: float = Field(default=5.0, ge=0.5, le=60)

    @property
    def enabled(self) -> bool:
        return bool(self.export_path or self.api_url)


class LogSettings(BaseModel):
    """The question log (Redis stream wikibot:log) behind feedback export, report, finetune."""

    max_entries: int = Field(default=100_000, ge=100)
    retention_days: int = Field(default=180, ge=1)
    user_salt: SecretStr = SecretStr("")  # set it: user ids are stored as salted hashes
    model: str = ""  # filled from the LLM settings


class ChunkingSettings(BaseModel):
    max_tokens: int = Field(default=200, ge=32, le=512)
    overlap_tokens: int = Field(default=40, ge=0, le=256)

    @model_validator(mode="after")
    def _overlap_smaller(self) -> ChunkingSettings:
        if self.overlap_tokens >= self.max_tokens:
            raise ValueError("overlap_tokens must be smaller than max_tokens")
        return self

    def to_config(self) -> ChunkingConfig:
        return ChunkingConfig(max_tokens=self.max_tokens, overlap_tokens=self.overlap_tokens)
