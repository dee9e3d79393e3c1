"""The composition root: every entry point (`serve`, `chat`, `ask`, `index`, `sync`, `status`,
the learning commands) gets its parts from :func:`build_app`, and nothing else constructs
them, so the surfaces cannot drift apart.

Parts are built on first use: `wikibot status` opens the index without loading the
embedding model, `wikibot index` never builds the answer engine. Tests and benchmarks pass
their own parts (a shared embedder, a fake engine, a gated embedder) as arguments.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from typing import TYPE_CHECKING, cast

from bot.config import Settings

if TYPE_CHECKING:  # the heavy libraries load only when a part that needs them is built
    from bot.answer.engine import AnswerEngine
    from bot.answer.llm import LLMClient
    from bot.entra_groups import EntraGroups
    from bot.groups import GroupDirectory
    from bot.index_admin.commands import Commands
    from bot.index_admin.reindex import Reindexer
    from bot.index_admin.sources import ConfiguredSources
    from bot.models import Answer, Turn, Viewer
    from bot.personal import PersonalAnswers
    from bot.pipeline import Engine, QuestionPipeline
    from bot.serve.metrics import Metrics
    from bot.state.shared import SharedState
    from indexing.embedding import MiniLMEmbedding, OpenAICompatibleEmbedding
    from indexing.index_generation import PerIndexGeneration
    from indexing.source_reads import SourceCount
    from indexing.store import QdrantIndexStore
    from indexing.sync_state import SyncStateStore

    Embedder = MiniLMEmbedding | OpenAICompatibleEmbedding

logger = logging.getLogger(__name__)


class App:
    """The parts of one running wikibot. Use :func:`build_app`."""

    def __init__(self, settings: Settings, given: dict[str, object]) -> None:
        self.settings = settings
        self._llm = given.pop("llm", None)
        for name, part in given.items():
            if part is not None:
                self.__dict__[name] = part  # a given part replaces the cached_property

    @cached_property
    def embedder(self) -> Embedder:
        from indexing.embedding import build_embedder

        return build_embedder(self.settings.embedding)

    @cached_property
    def store(self) -> QdrantIndexStore:
        from indexing.store import QdrantIndexStore, open_client

        settings = self.settings
        client = open_client(settings.qdrant, settings.data_dir)
        if not settings.qdrant.url:
            logger.info("using the embedded Qdrant index in %s", settings.data_dir / "qdrant")
        return QdrantIndexStore(
            client,
            alias=settings.qdrant.collection,
            embedder=lambda: self.embedder,  # only writes need it: reads know the collection
            local=not settings.qdrant.url,
            replication_factor=settings.qdrant.replication_factor,
        )

    @cached_property
    def sync_states(self) -> SyncStateStore:
        from indexing.sync_state import SyncStateStore

        return SyncStateStore(self.store.client, self.settings.qdrant.collection)

    @cached_property
    def source_counts(self) -> PerIndexGeneration[dict[str, SourceCount]]:
        """Each source's documents, chunks and public documents (the Slack Home tab): one
        pass over the index per index generation, however often it is asked."""
        from indexing.index_generation import PerIndexGeneration, index_generation
        from indexing.source_reads import source_counts_by_access

        return PerIndexGeneration(
            lambda: source_counts_by_access(self.store),
            lambda: index_generation(self.store, self.sync_states),
        )

    @cached_property
    def sources(self) -> ConfiguredSources:
        from bot.index_admin.sources import ConfiguredSources

        return ConfiguredSources.load(self.settings)

    def reload_sources(self) -> None:
        """Read the sources file again on next use (a long-running serve taking a CLI
        command after the file was edited)."""
        self.__dict__.pop("sources", None)

    @cached_property
    def engine(self) -> Engine:
        return self.answer_engine

    @cached_property
    def answer_engine(self) -> AnswerEngine:
        from bot.answer.decision import DecisionModel
        from bot.answer.engine import AnswerEngine
        from bot.answer.extractive import ExtractiveAnswerer
        from bot.answer.generative import GenerativeAnswerer
        from bot.answer.retrieval import QdrantRetriever

        settings = self.settings
        retriever = QdrantRetriever(store=self.store, settings=settings.retrieval)
        extractive = ExtractiveAnswerer(
            settings=settings.answer,
            embed_many=self.embedder.embed_short,
            vocabulary=retriever.vocabulary,
            model=DecisionModel.load(settings.decision_model_path),
        )
        llm = self.llm
        if llm is None:
            logger.info("no LLM configured (WIKIBOT_LLM__MODEL): answers are extractive")
            return AnswerEngine(retriever=retriever, embedder=self.embedder, writer=extractive)
        writer = GenerativeAnswerer(llm=llm, extractive=extractive)
        return AnswerEngine(retriever=retriever, embedder=self.embedder, writer=writer, llm=llm)

    @cached_property
    def llm(self) -> LLMClient | None:
        if self._llm is not None:
            return cast("LLMClient", self._llm)
        if not self.settings.llm.enabled:
            return None
        from bot.answer.openai_client import OpenAIChatClient

        return OpenAIChatClient(self.settings.llm)

    @cached_property
    def state(self) -> SharedState:
        from bot.state.shared import build_shared_state

        settings = self.settings
        return build_shared_state(
            settings.redis, settings.limits, settings.log, log_file=settings.question_log_path
        )

    @cached_property
    def groups(self) -> GroupDirectory:
        from bot.groups import GroupDirectory

        return GroupDirectory.load(self.settings.groups_file)

    @cached_property
    def personal(self) -> PersonalAnswers | None:
        from bot.personal import build_personal_answers

        return build_personal_answers(self.sources.hr_settings())

    @cached_property
    def metrics(self) -> Metrics:
        from bot.serve.index_facts import index_facts
        from bot.serve.metrics import Metrics

        return Metrics(index_facts=lambda: index_facts(self))

    @cached_property
    def answering(self) -> ThreadPoolExecutor:
        """The engine's own threads: the loop's default pool stays free for the small jobs
        (DNS lookups of outgoing HTTP calls) that replies wait on."""
        threads = self.settings.server.answer_threads
        return ThreadPoolExecutor(threads, thread_name_prefix="answer")

    @cached_property
    def pipeline(self) -> QuestionPipeline:
        """One question's handling, the same for Slack, Teams, `chat` and `ask`."""
        from bot.conversation_access import ConversationAccess
        from bot.pipeline import QuestionPipeline

        return QuestionPipeline(
            engine=_Deferred(self),
            state=self.state,
            executor=self.answering,
            groups=self.groups,
            personal=self.personal,
            metrics=self.metrics,
            access=ConversationAccess(
                self.groups,
                self.settings.channel_answers,
                self.state.membership_versions,
                entra=self.entra_groups,
            ),
            entra=self.entra_groups,
        )

    @cached_property
    def entra_groups(self) -> EntraGroups | None:
        """Group membership from Entra ID when WIKIBOT_ENTRA__* is set (else the groups file
        alone)."""
        if not self.settings.entra.enabled:
            return None
        from bot.entra_groups import EntraGroups

        return EntraGroups(self.settings.entra)

    @cached_property
    def reindexer(self) -> Reindexer:
        from bot.index_admin.reindex import Reindexer

        return Reindexer(self)

    @cached_property
    def commands(self) -> Commands:
        from bot.index_admin.commands import Commands

        return Commands(self)

    def close_store(self) -> None:
        if "store" in self.__dict__:
            self.store.client.close()

    async def close(self) -> None:
        if "state" in self.__dict__:
            await self.state.close()
        if "answering" in self.__dict__:
            self.answering.shutdown(wait=False, cancel_futures=True)


def build_app(
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    store: QdrantIndexStore | None = None,
    llm: LLMClient | None = None,
    engine: Engine | None = None,
    state: SharedState | None = None,
    metrics: Metrics | None = None,
    personal: PersonalAnswers | None = None,
) -> App:
    """The one way to assemble wikibot; every argument but ``settings`` replaces a part."""
    given: dict[str, object] = {"embedder": embedder, "store": store, "llm": llm}
    given.update(engine=engine, state=state, metrics=metrics, personal=personal)
    return App(settings, given)


class _Deferred:
    """The pipeline's engine, built on its first question (it loads the embedding model and
    opens the index), so a server answers /healthz before that."""

    def __init__(self, app: App) -> None:
        self.app = app

    def ask(
        self,
        question: str,
        history: list[Turn] | None = None,
        *,
        on_token: Callable[[str], None] | None = None,
        viewer: Viewer | None = None,
    ) -> Answer:
        from bot.models import PUBLIC

        return self.app.engine.ask(question, history, on_token=on_token, viewer=viewer or PUBLIC)
