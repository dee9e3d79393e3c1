"""The configured sources: the sources file (WIKIBOT_SOURCES_FILE) plus any folders listed in
WIKIBOT_SOURCES, turned into connectors by name for `index`, `sync` and `/wikibot reindex`."""

from __future__ import annotations

import os
from collections.abc import Sequence

from pydantic import SecretStr

from bot.config import HRSettings, Settings
from bot.errors import ConfigurationError
from connectors.base import Connector
from connectors.folder import name_for_folder
from connectors.sources_file import (
    FolderSource,
    HRRecordsSource,
    SourceConfig,
    SourcesFileError,
    build_connector,
    load_sources,
)


class ConfiguredSources:
    def __init__(self, sources: list[SourceConfig], settings: Settings) -> None:
        self.sources = sources
        self.settings = settings

    @classmethod
    def load(cls, settings: Settings) -> ConfiguredSources:
        sources: list[SourceConfig] = []
        if settings.sources_file:
            try:
                sources = load_sources(settings.sources_file)
            except SourcesFileError as exc:
                raise ConfigurationError(str(exc)) from None
        names = {s.name for s in sources}
        for folder in settings.sources:  # WIKIBOT_SOURCES: folders named after themselves
            if not folder.is_dir():
                raise ConfigurationError(f"WIKIBOT_SOURCES: {folder} is not a folder")
            name = name_for_folder(folder)
            if name in names:
                raise ConfigurationError(
                    f"WIKIBOT_SOURCES: {folder} has the same name as a source in the sources file"
                )
            names.add(name)
            sources.append(FolderSource(type="folder", name=name, path=folder.resolve()))
        return cls(sources, settings)

    @property
    def indexed(self) -> list[SourceConfig]:
        return [s for s in self.sources if not isinstance(s, HRRecordsSource)]

    def names(self) -> list[str]:
        return [s.name for s in self.indexed]

    def select(self, names: Sequence[str] = ()) -> list[SourceConfig]:
        """The indexed sources with these names (all of them without names)."""
        if not names:
            return self.indexed
        known = {s.name: s for s in self.indexed}
        unknown = [n for n in names if n not in known]
        if unknown:
            listed = ", ".join(known) or "none configured (WIKIBOT_SOURCES_FILE)"
            raise ConfigurationError(f"unknown source {unknown[0]!r}; known sources: {listed}")
        return [known[n] for n in names]

    def connectors(self, names: Sequence[str] = ()) -> list[Connector]:
        built = []
        for source in self.select(names):
            connector = build_connector(source, folder_limits=self.settings.folder_limits)
            if connector is not None:
                built.append(connector)
        return built

    def kinds(self) -> dict[str, str]:
        return {s.name: s.type for s in self.sources}

    def hr_settings(self) -> HRSettings:
        """WIKIBOT_HR__* if set, else the sources file's hr_records source (for personal
        answers: looked up live, never indexed)."""
        if self.settings.hr.enabled:
            return self.settings.hr
        for source in self.sources:
            if isinstance(source, HRRecordsSource):
                value = os.environ.get(source.api_key_env or "")
                key = SecretStr(value) if value else None
                return HRSettings(
                    export_path=source.export_path,
                    api_url=source.api_url,
                    api_key=key,
                    timeout_s=source.timeout_s,
                )
        return self.settings.hr
