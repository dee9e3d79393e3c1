"""What /metrics reports about the index: its size and each source's last sync, read at
scrape time (the store's counts; never the embedding model)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import App


def index_facts(app: App) -> dict[str, object]:
    store = app.store
    if store.current_collection() is None:
        return {"documents": 0, "chunks": 0, "sources": []}
    sources = [
        (s.name, s.outcome, s.last_run_at.timestamp())
        for s in app.sync_states.all()
        if s.last_run_at is not None
    ]
    return {"documents": store.document_count(), "chunks": store.count(), "sources": sources}
