"""Per-source sync state (last run, outcome, counts, the moment the next poll starts from),
kept in Qdrant next to the index so every replica, CronJob and `status` sees the same record.

One small collection (``<alias>_sync_state``, a 1-dimensional dummy vector per source);
outside the ``<alias>-*`` names that rebuilds create and clean up.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

from pydantic import BaseModel, Field
from qdrant_client import QdrantClient
from qdrant_client.http import models as qm

logger = logging.getLogger(__name__)


class SourceState(BaseModel):
    name: str
    kind: str = ""
    location: str = ""  # the folder or URL it reads (name clashes are checked against it)
    last_run_at: datetime | None = None
    outcome: str = ""  # "ok", "partial" (some documents failed) or "failed"
    summary: str = ""
    error: str = ""
    by: str = ""  # who ran it: "alice (wikibot index)", "<@U1> (Slack)", "background sync"
    counts: dict[str, int] = Field(default_factory=dict)
    # the start of the last run that saw everything it asked for: the next poll starts here
    synced_since: datetime | None = None
    last_full_at: datetime | None = None
    cursor: dict[str, str] = Field(default_factory=dict)  # delta sources: where to resume

    def describe(self) -> str:
        if self.last_run_at is None:
            return f"source {self.name}: never synced"
        when = self.last_run_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        detail = self.summary if self.outcome != "failed" else f"FAILED: {self.error}"
        return f"source {self.name} ({self.kind}): last run {when}, {self.outcome}: {detail}"


class SyncStateStore:
    def __init__(self, client: QdrantClient, alias: str) -> None:
        self.client = client
        self.collection = f"{alias}_sync_state"
        self._ready = False

    def _ensure(self) -> None:
        if self._ready:
            return
        if not self.client.collection_exists(self.collection):
            self.client.create_collection(
                self.collection,
                vectors_config=qm.VectorParams(size=1, distance=qm.Distance.DOT),
            )
        self._ready = True

    @staticmethod
    def _point_id(name: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"wikibot-source:{name}"))

    def get(self, name: str) -> SourceState | None:
        self._ensure()
        points = self.client.retrieve(self.collection, [self._point_id(name)], with_payload=True)
        if not points or not points[0].payload:
            return None
        try:
            return SourceState.model_validate(points[0].payload)
        except ValueError:
            logger.warning("unreadable sync state for source %s: starting over", name)
            return None

    def put(self, state: SourceState) -> None:
        self._ensure()
        point = qm.PointStruct(
            id=self._point_id(state.name), vector=[1.0], payload=state.model_dump(mode="json")
        )
        self.client.upsert(self.collection, [point])

    def delete(self, name: str) -> None:
        if self.client.collection_exists(self.collection):
            self.client.delete(self.collection, points_selector=[self._point_id(name)])

    def all(self) -> list[SourceState]:
        if not self.client.collection_exists(self.collection):
            return []
        points, _ = self.client.scroll(self.collection, limit=1000, with_payload=True)
        states = []
        for point in points:
            try:
                states.append(SourceState.model_validate(point.payload or {}))
            except ValueError:
                continue
        return sorted(states, key=lambda s: s.name)
