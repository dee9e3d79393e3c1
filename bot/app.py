"""Composition root: builds the embedder, the Qdrant store, the index pipeline and the
answer engine from one Settings object. Nothing else constructs these."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property

from bot.answer.decision import DecisionModel
from bot.answer.engine import AnswerEngine
from bot.answer.extractive import ExtractiveAnswerer
from bot.answer.generative import GenerativeAnswerer
from bot.answer.llm import OpenAIChatClient
from bot.answer.retrieval import QdrantRetriever
from bot.config import Settings
from bot.sources import ConfiguredSources
from indexing.embedding import MiniLMEmbedding, OpenAICompatibleEmbedding, build_embedder
from indexing.pipeline import IndexPipeline
from indexing.store import QdrantIndexStore, open_client
from indexing.sync import SourceSync
from indexing.sync_state import SyncStateStore

logger = logging.getLogger(__name__)


@dataclass
class Components:
    """Lazily built parts, so `wikibot index` never loads what only `ask` needs."""

    settings: Settings

    @cached_property
    def embedder(self) -> MiniLMEmbedding | OpenAICompatibleEmbedding:
        return build_embedder(self.settings.embedding)

    @cached_property
    def store(self) -> QdrantIndexStore:
        client = open_client(self.settings.qdrant, self.settings.data_dir)
        if not self.settings.qdrant.url:
            logger.info("using the embedded Qdrant index in %s", self.settings.data_dir / "qdrant")
        return QdrantIndexStore(
            client,
            alias=self.settings.qdrant.collection,
            dimension=self.embedder.dimension,
            embed_model=self.embedder.model_name,
            local=not self.settings.qdrant.url,
            replication_factor=self.settings.qdrant.replication_factor,
        )

    def index_pipeline(self, *, caller_holds_lock: bool = False) -> IndexPipeline:
        return IndexPipeline(
            store=self.store,
            embedder=self.embedder,
            lock_path=None if caller_holds_lock else self.settings.index_lock_path,
            chunking=self.settings.chunking.to_config(),
        )

    @cached_property
    def sync_states(self) -> SyncStateStore:
        return SyncStateStore(self.store.client, self.settings.qdrant.collection)

    @cached_property
    def sources(self) -> ConfiguredSources:
        return ConfiguredSources.load(self.settings)

    def source_sync(self, *, caller_holds_lock: bool = False) -> SourceSync:
        return SourceSync(
            pipeline=self.index_pipeline(caller_holds_lock=caller_holds_lock),
            states=self.sync_states,
            kinds=self.sources.kinds(),
        )

    @cached_property
    def engine(self) -> AnswerEngine:
        retriever = QdrantRetriever(store=self.store, settings=self.settings.retrieval)
        extractive = ExtractiveAnswerer(
            settings=self.settings.answer,
            embed_many=self.embedder.embed_short,
            vocabulary=retriever.vocabulary,
            model=DecisionModel.load(self.settings.decision_model_path),
        )
        if not self.settings.llm.enabled:
            logger.info("no LLM configured (WIKIBOT_LLM__MODEL): answers are extractive")
            return AnswerEngine(retriever=retriever, embedder=self.embedder, writer=extractive)
        llm = OpenAIChatClient(self.settings.llm)
        return AnswerEngine(
            retriever=retriever,
            embedder=self.embedder,
            writer=GenerativeAnswerer(llm=llm, extractive=extractive),
            llm=llm,
        )
