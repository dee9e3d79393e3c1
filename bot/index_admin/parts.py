"""What index administration needs of a running wikibot, as a Protocol: `bot.app.App`
provides it, and nothing in this package imports `bot.app` (the composition root depends on
this package, never the other way round)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.index_admin.sources import ConfiguredSources
    from bot.state.shared import SharedState
    from indexing.embedding import Embedder
    from indexing.store import QdrantIndexStore
    from indexing.sync_state import SyncStateStore


class IndexParts(Protocol):
    """The parts an index run, `status`, `sources` and `remove` read and write."""

    @property
    def settings(self) -> Settings: ...

    @property
    def store(self) -> QdrantIndexStore: ...

    @property
    def embedder(self) -> Embedder: ...

    @property
    def sync_states(self) -> SyncStateStore: ...

    @property
    def sources(self) -> ConfiguredSources: ...

    @property
    def state(self) -> SharedState: ...
