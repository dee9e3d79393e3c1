"""Settings of the chat surfaces and the HTTP server they share (part of Settings)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr


class SlackSettings(BaseModel):
    """SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET enable POST /slack/events; SLACK_APP_TOKEN
    switches to Socket Mode; SLACK_API_URL points at another Web API (GovSlack, tests)."""

    bot_token: SecretStr | None = None
    signing_secret: SecretStr | None = None
    app_token: SecretStr | None = None
    api_url: str = "https://slack.com/api/"
    # Slack user ids allowed to reindex
    admins: list[str] = Field(default_factory=list, examples=[["U012ABC"]])
    admin_usergroup: str = ""  # a user group id whose members are admins too
    answer_unmentioned_replies: bool = False  # answer thread replies where the bot answered
    update_interval_s: float = Field(default=1.5, ge=0.2, le=30)  # streaming chat.update pace
    # intermediate streaming updates shared by all answers in flight (Slack: ~50/min/workspace)
    stream_updates_per_minute: float = Field(default=40, ge=1, le=600)
    progress_interval_s: float = Field(default=3.0, ge=0.1, le=60)  # reindex progress pace
    # LLM answers in threads stream natively (chat.startStream/appendStream/stopStream)
    native_streaming: bool = True
    stream_interval_s: float = Field(default=0.5, ge=0.1, le=30)  # native appendStream pace
    # the assistant pane's suggested prompts (at most 4); empty: the most-asked questions
    # (asked by 3+ people, answered from public documents), else public document titles
    suggested_prompts: list[str] = Field(
        default_factory=list, max_length=4, examples=[["How many vacation days do I get?"]]
    )

    @property
    def enabled(self) -> bool:
        return bool(self.bot_token and (self.signing_secret or self.app_token))


class ServerSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = Field(default=3000, ge=0, le=65535)
    # questions answered at once; more wait their turn (CPU-bound without an LLM, mostly
    # waiting on the LLM with one: raise it then)
    answer_threads: int = Field(default=4, ge=1, le=256)
    # how many replicas run (the Helm chart sets it): >1 needs QDRANT_URL and REDIS_URL
    replicas: int = Field(default=1, ge=1)
    production: bool = False  # refuse development-only settings (Teams dev mode)
    shutdown_grace_s: float = Field(default=25.0, ge=0, le=600)  # SIGTERM: finish answers
    log_format: Literal["json", "text"] = "json"


class TeamsSettings(BaseModel):
    """MICROSOFT_APP_ID + MICROSOFT_APP_PASSWORD enable POST /api/messages with JWT-validated
    activities; without an app id it accepts nothing unless WIKIBOT_TEAMS_DEV_MODE=1."""

    enabled: bool | None = None  # None: on when an app id (or dev mode) is set
    app_id: str = ""
    app_password: SecretStr | None = None
    # Azure creates no new multi-tenant bots since 31 July 2025: single-tenant is the default
    app_type: Literal["MultiTenant", "SingleTenant", "UserAssignedMSI"] = "SingleTenant"
    tenant_id: str = ""  # the Entra tenant of a single-tenant (or managed identity) bot
    dev_mode: bool = False  # accept unauthenticated activities (Bot Framework Emulator)
    # Entra (Azure AD) object ids allowed to reindex
    admins: list[str] = Field(
        default_factory=list, examples=[["00000000-0000-0000-0000-000000000000"]]
    )
    openid_metadata_url: str = ""  # where signing keys are published (default: Bot Framework)
    stream_interval_s: float = Field(default=1.0, ge=0.5, le=30)  # personal-chat streaming pace

    @property
    def active(self) -> bool:
        """Activities are processed: an app id is configured, or dev mode is on."""
        return self.enabled is not False and bool(self.app_id or self.dev_mode)
