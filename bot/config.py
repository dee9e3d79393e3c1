"""The one Settings object: environment variables and a ``.env`` file, validated at start-up.

Our own settings use the ``WIKIBOT_`` prefix, nested sections with ``__`` (for example
``WIKIBOT_RETRIEVAL__TOP_K=8``); the platforms' customary names are read as well
(``QDRANT_URL``, ``QDRANT_API_KEY``, ``OPENAI_API_KEY``, ``OPENAI_BASE_URL``...). Read it once
in ``cli.py`` / ``app.py`` and pass it down; nothing deeper imports this module's loader.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

from pydantic import (
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from bot.chat_settings import ServerSettings, SlackSettings, TeamsSettings
from bot.config_env import (
    CustomaryEnvSource,
    LenientDotEnvSource,
    LenientEnvSource,
    problem_lines,
)
from bot.config_sections import (
    AnswerSettings,
    ChunkingSettings,
    HRSettings,
    LimitSettings,
    LLMSettings,
    LogSettings,
    RedisSettings,
    RetrievalSettings,
)
from bot.conversation_access import ChannelAnswerSettings
from bot.entra_groups import EntraSettings
from bot.errors import ConfigurationError
from connectors.settings import FolderLimits
from indexing.settings import EmbeddingConfig, QdrantConfig

__all__ = [
    "AnswerSettings",
    "HRSettings",
    "LLMSettings",
    "LimitSettings",
    "LogSettings",
    "RedisSettings",
    "RetrievalSettings",
    "Settings",
    "SlackSettings",
    "load_settings",
    "redact_url",
]

class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="WIKIBOT_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="ignore",
    )

    data_dir: Path = Path("~/.local/share/wikibot")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"
    qdrant: QdrantConfig = Field(default_factory=QdrantConfig)
    embedding: EmbeddingConfig = Field(default_factory=EmbeddingConfig)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    folder_limits: FolderLimits = Field(default_factory=FolderLimits)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)
    slack: SlackSettings = Field(default_factory=SlackSettings)
    teams: TeamsSettings = Field(default_factory=TeamsSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    hr: HRSettings = Field(default_factory=HRSettings)
    channel_answers: ChannelAnswerSettings = Field(default_factory=ChannelAnswerSettings)
    entra: EntraSettings = Field(default_factory=EntraSettings)  # groups from Entra ID
    log: LogSettings = Field(default_factory=LogSettings)
    groups_file: Path | None = None  # YAML: group -> member user ids (document permissions)
    # folders to index (named after the folder)
    sources: list[Path] = Field(default_factory=list, examples=[["./handbook"]])
    sources_file: Path | None = None  # YAML list of named sources (connectors/sources_file.py)
    sync_interval_s: int = Field(default=0, ge=0)  # background `sync` inside serve; 0 = off

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @model_validator(mode="after")
    def _check_urls(self) -> Settings:
        urls = [
            ("qdrant", "url", "QDRANT_URL", _is_http_url),
            ("llm", "base_url", "OPENAI_BASE_URL", _is_http_url),
            ("embedding", "base_url", "WIKIBOT_EMBEDDING__BASE_URL", _is_http_url),
            ("redis", "url", "REDIS_URL", _is_redis_url),
            ("slack", "api_url", "SLACK_API_URL", _is_http_url),
            ("hr", "api_url", "WIKIBOT_HR__API_URL", _is_http_url),
        ]
        for section, field, env, valid in urls:
            value = getattr(getattr(self, section), field)
            if value is not None and not valid(value):
                expected = "redis://host:port/db" if section == "redis" else "http(s)://host[:port]"
                raise ValueError(f"{env} is not a URL: {redact_url(value)!r} (expected {expected})")
        self.log.model = self.llm.model
        if self.hr.api_url and not self.hr.api_key:
            raise ValueError("WIKIBOT_HR__API_URL is set: also set WIKIBOT_HR__API_KEY")
        if self.llm.enabled and not (self.llm.base_url or self.llm.api_key):
            raise ValueError(
                "WIKIBOT_LLM__MODEL is set: also set OPENAI_BASE_URL or OPENAI_API_KEY"
            )
        if self.embedding.backend == "openai":
            # the embedding endpoint defaults to the LLM's endpoint and key
            self.embedding.base_url = self.embedding.base_url or self.llm.base_url
            self.embedding.api_key = self.embedding.api_key or self.llm.api_key
            if not self.embedding.base_url and not self.embedding.api_key:
                raise ValueError(
                    "WIKIBOT_EMBEDDING__BACKEND=openai needs WIKIBOT_EMBEDDING__BASE_URL, "
                    "OPENAI_BASE_URL or OPENAI_API_KEY"
                )
        return self

    def warnings(self) -> list[str]:
        """Settings that are valid but probably not what was meant (printed at start-up)."""
        found = []
        if not self.llm.enabled and (self.llm.base_url or self.llm.api_key):
            which = "OPENAI_BASE_URL" if self.llm.base_url else "OPENAI_API_KEY"
            found.append(
                f"{which} is set but no model is: answers stay extractive quotes. Set "
                "WIKIBOT_LLM__MODEL (or OPENAI_MODEL), e.g. gpt-4o-mini, llama3.1:8b"
            )
        return found

    @property
    def decision_model_path(self) -> Path:
        """Where `wikibot eval --fit` writes a model fitted on the admin's own questions."""
        return self.data_dir / "decision_model.json"

    @property
    def question_log_path(self) -> Path:
        """The question log without Redis (with REDIS_URL it is the wikibot:log stream)."""
        return self.data_dir / "question_log.jsonl"

    @property
    def index_lock_path(self) -> Path:
        return self.data_dir / "index.lock"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        dotenv = dotenv_settings
        if isinstance(dotenv, DotEnvSettingsSource):  # the same file, decoded leniently
            dotenv = LenientDotEnvSource(
                settings_cls, env_file=dotenv.env_file, env_file_encoding=dotenv.env_file_encoding
            )
        return (
            init_settings,
            LenientEnvSource(settings_cls),
            CustomaryEnvSource(settings_cls),
            dotenv,
            file_secret_settings,
        )


def _is_http_url(value: str) -> bool:
    parsed = urlparse(value)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def redact_url(value: str) -> str:
    """The URL without a password, for messages and logs."""
    return re.sub(r"(?<=://)[^/@]*@", "***@", value)


def _is_redis_url(value: str) -> bool:
    parsed = urlparse(value)
    return (parsed.scheme in ("redis", "rediss") and bool(parsed.netloc)) or parsed.scheme == "unix"


def load_settings(**overrides: Any) -> Settings:
    """Build Settings, turning validation errors into one clear message per problem."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = problem_lines(exc, Settings)
        raise ConfigurationError("invalid configuration:\n  " + "\n  ".join(lines)) from None
