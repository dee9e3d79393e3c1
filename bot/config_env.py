"""Where Settings come from, and how a wrong value is worded: the environment and ``.env``
(JSON values decoded leniently, so a wrong one is reported against its variable), the
platforms' customary variable names, and one line per problem naming the variable and the
form it expects (``WIKIBOT_SLACK__ADMINS: expected a JSON list such as ["U012ABC"]``)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from dotenv import dotenv_values
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import DotEnvSettingsSource, EnvSettingsSource, PydanticBaseSettingsSource

# settings path -> the environment variable people set; used for sources and messages
CUSTOMARY_ENV = {
    ("qdrant", "url"): "QDRANT_URL",
    ("qdrant", "api_key"): "QDRANT_API_KEY",
    ("llm", "api_key"): "OPENAI_API_KEY",
    ("llm", "base_url"): "OPENAI_BASE_URL",
    ("llm", "model"): "OPENAI_MODEL",
    ("redis", "url"): "REDIS_URL",
    ("slack", "bot_token"): "SLACK_BOT_TOKEN",
    ("slack", "signing_secret"): "SLACK_SIGNING_SECRET",
    ("slack", "app_token"): "SLACK_APP_TOKEN",
    ("slack", "api_url"): "SLACK_API_URL",
    ("teams", "app_id"): "MICROSOFT_APP_ID",
    ("teams", "app_password"): "MICROSOFT_APP_PASSWORD",
    ("teams", "app_type"): "MICROSOFT_APP_TYPE",
    ("teams", "tenant_id"): "MICROSOFT_APP_TENANT_ID",
    ("teams", "dev_mode"): "WIKIBOT_TEAMS_DEV_MODE",
}
_QUOTES = ("'", '"')


class _LenientJson:
    """A JSON value that does not decode is passed on as the string it is, so that pydantic
    reports it at its own field (its variable), not as "error parsing value for field X".
    A value wrapped in one more pair of quotes (``'["U1"]'``, as ``docker --env-file`` passes
    what a shell would have unquoted) is read without them."""

    def decode_complex_value(self, field_name: str, field: FieldInfo, value: Any) -> Any:
        decode = super().decode_complex_value  # type: ignore[misc]
        try:
            return decode(field_name, field, value)
        except ValueError:
            pass
        text = value.strip() if isinstance(value, str) else value
        if isinstance(text, str) and len(text) > 1 and text[0] == text[-1] and text[0] in _QUOTES:
            try:
                return decode(field_name, field, text[1:-1])
            except ValueError:
                pass
        return value


class LenientEnvSource(_LenientJson, EnvSettingsSource):
    """The process environment (``WIKIBOT_*``), JSON decoded leniently."""


class LenientDotEnvSource(_LenientJson, DotEnvSettingsSource):
    """The ``.env`` file, JSON decoded leniently."""


class CustomaryEnvSource(PydanticBaseSettingsSource):
    """Reads the platforms' customary variable names (QDRANT_URL, OPENAI_API_KEY...)."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        env_file = self.config.get("env_file")
        values: dict[str, Any] = {}
        file_values = (
            dotenv_values(env_file)
            if isinstance(env_file, str) and Path(env_file).is_file()
            else {}
        )
        for (section, field), name in CUSTOMARY_ENV.items():
            value = os.environ.get(name, file_values.get(name))
            if value:
                values.setdefault(section, {})[field] = value
        return values


def env_name(path: tuple[str, ...]) -> str:
    """The variable that sets the field at ``path`` (("slack", "admins") ->
    WIKIBOT_SLACK__ADMINS)."""
    if path[:2] in CUSTOMARY_ENV:
        return CUSTOMARY_ENV[path[:2]]  # type: ignore[index]
    return "WIKIBOT_" + "__".join(p.upper() for p in path)


def problem_lines(exc: ValidationError, model: type[BaseModel]) -> list[str]:
    """One line per problem: the variable, what is wrong or the form expected, what was
    given (never for a secret)."""
    lines = []
    for error in exc.errors():
        message = str(error["msg"]).removeprefix("Value error, ")
        loc = tuple(error["loc"])
        if not loc:
            lines.append(message)
            continue
        path = tuple(str(p) for p in loc if not isinstance(p, int))
        items = [p for p in loc if isinstance(p, int)]
        field = _field_at(model, path)
        kind = error["type"]
        if kind == "list_type" and not items:
            message = f"expected a JSON list such as {_example(field, ['...'])}"
        elif kind in ("dict_type", "model_type", "model_attributes_type") and not items:
            message = (
                f"expected a JSON object such as {_example(field, {'...': '...'})}"
                if kind == "dict_type"
                else f"expected a JSON object, or set its fields one by one ({env_name(path)}__...)"
            )
        elif items:
            message = f"item {items[0] + 1}: {message}"
        secret = field is not None and "Secret" in repr(field.annotation)
        given = "" if secret or "input" not in error else f" (got {error['input']!r})"
        lines.append(f"{env_name(path)}: {message}{given}")
    return lines


def _field_at(model: type[BaseModel], path: tuple[str, ...]) -> FieldInfo | None:
    field = None
    for part in path:
        fields = getattr(model, "model_fields", {})
        field = fields.get(part)
        if field is None:
            return None
        model = field.annotation
    return field


def _example(field: FieldInfo | None, default: Any) -> str:
    examples = field.examples if field is not None else None
    return json.dumps(examples[0] if examples else default)
