"""What flows through the chat side: retrieved chunks, citations and answers."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class RetrievedChunk(BaseModel):
    """One chunk returned by retrieval, with what a citation needs."""

    chunk_id: str
    doc_id: str
    title: str
    source: str
    url: str = ""
    section: str = ""
    updated_at: str = ""
    updated_from: str = ""  # "front matter", "git", "file" or "" (the source's record)
    text: str
    score: float = 0.0
    dense_rank: int = 0  # 1-based rank in the dense (MiniLM) list; 0 = not in it
    dense_score: float = 0.0  # cosine similarity to the question
    sparse_rank: int = 0  # 1-based rank in the BM25 list; 0 = not in it
    acl_public: bool = True  # who may read it, from the index (retrieval checks it again)
    acl_users: list[str] = Field(default_factory=list)
    acl_groups: list[str] = Field(default_factory=list)


class Citation(BaseModel):
    n: int
    title: str
    source: str
    url: str = ""
    section: str = ""
    updated_at: str = ""
    updated_from: str = ""
    doc_id: str = ""

    @classmethod
    def of(cls, n: int, chunk: RetrievedChunk) -> Citation:
        """Citation number ``n`` for a retrieved chunk's document section."""
        return cls(
            n=n,
            title=chunk.title,
            source=chunk.source,
            url=chunk.url,
            section=chunk.section,
            updated_at=chunk.updated_at,
            updated_from=chunk.updated_from,
            doc_id=chunk.doc_id,
        )

    def to_json(self) -> dict[str, Any]:
        """A citation (or a related page) as ``ask --json`` reports it."""
        return {
            "n": self.n,
            "title": self.title,
            "source": self.source,
            "url": self.url,
            "section": self.section,
            "updated_at": self.updated_at,
            "updated_from": self.updated_from,
        }

    def updated_note(self) -> str:
        """ "updated 2026-03-01", or how the date is known when it is not the page's own
        ("last commit 2026-03-01" from git, "file date 2026-03-01" from the file's mtime)."""
        if not self.updated_at:
            return ""
        word = {"git": "last commit", "file": "file date"}.get(self.updated_from, "updated")
        return f"{word} {self.updated_at[:10]}"

    def label(self) -> str:
        """ "Title › Section" (the section's last heading), as chat surfaces show it."""
        last = self.section.split(" > ")[-1] if self.section else ""
        return f"{self.title} › {last}" if last and last != self.title else self.title


class Answer(BaseModel):
    question: str
    text: str
    answered: bool
    citations: list[Citation] = Field(default_factory=list)
    # not sure: no quote, the pages that look closest (same fields as citations); with an
    # answer: the closest pages it does not cite ("see also")
    related: list[Citation] = Field(default_factory=list)
    retrieved: list[RetrievedChunk] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)
    writer: str = "extractive"  # "llm", "extractive" or "extractive-fallback"
    standalone_question: str = ""  # the follow-up rewritten for retrieval, if it was
    llm_tokens: dict[str, int] = Field(default_factory=dict)  # "prompt", "completion"
    answerable_p: float | None = None  # the calibrated "the documents answer it" probability

    def to_json(self) -> dict[str, Any]:
        """The JSON contract of ``wikibot ask --json`` (see ARCHITECTURE.md)."""
        return {
            "question": self.question,
            "answer": self.text,
            "answered": self.answered,
            "answerable_p": self.answerable_p,
            "citations": [c.to_json() for c in self.citations],
            "related": [c.to_json() for c in self.related],
            "retrieved": [
                {
                    "title": r.title,
                    "source": r.source,
                    "section": r.section,
                    "score": round(r.score, 4),
                }
                for r in self.retrieved
            ],
            "writer": self.writer,
            "standalone_question": self.standalone_question or self.question,
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
        }


class ChatEvent(BaseModel):
    """One incoming question, whatever the platform."""

    platform: str  # "slack", "teams", "cli"
    workspace: str  # Slack team id, Teams tenant id
    channel: str
    thread: str = ""  # thread root (Slack thread_ts, Teams reply chain id); "" = none
    user: str
    text: str
    event_id: str = ""  # platform delivery id, for dedupe
    is_dm: bool = False
    is_admin: bool = False

    @field_validator("text", "user", "channel", "thread", "workspace", "event_id")
    @classmethod
    def _valid_unicode(cls, value: str) -> str:
        """Lone surrogates (JSON allows "\\ud800") cannot be encoded anywhere downstream."""
        return value.encode("utf-8", "replace").decode("utf-8")


class Viewer(BaseModel):
    """Whose answer this is: decides which documents retrieval may search. Built from the
    platform's identity of the asker only, never from the question text. No identity (and
    every shared channel or group chat) means public documents only."""

    model_config = ConfigDict(frozen=True)

    user: str = ""
    groups: frozenset[str] = frozenset()
    email: str = ""  # verified by the platform; matches sources that name people by email
    # a shared conversation: a restricted document only if EVERY member may read it
    members: tuple[Viewer, ...] = ()

    @property
    def public_only(self) -> bool:
        return not (self.user or self.groups or self.members)

    def may_read(self, chunk: RetrievedChunk) -> bool:
        """The same rule as the search filter, applied to a chunk in hand."""
        if chunk.acl_public:
            return True
        if self.members:
            return all(member.may_read(chunk) for member in self.members)
        people = {p for p in (self.user, self.email.lower()) if p}
        return bool(people & set(chunk.acl_users)) or bool(self.groups & set(chunk.acl_groups))

    def identities(self) -> tuple[set[str], set[str]]:
        """The people and groups a search may match (for a conversation: any member's; each
        result is then checked for every member with may_read)."""
        if self.members:
            people: set[str] = set()
            groups: set[str] = set()
            for member in self.members:
                more_people, more_groups = member.identities()
                people |= more_people
                groups |= more_groups
            return people, groups
        return {p for p in (self.user, self.email.lower()) if p}, set(self.groups)


PUBLIC = Viewer()


class Turn(BaseModel):
    """One question and answer in a conversation's memory."""

    user: str
    question: str
    answer: str
    cited_doc_ids: list[str] = Field(default_factory=list)
    personal: bool = False
    at: float = 0.0
    standalone: str = ""  # the question as it was searched, when taken as a follow-up
    restricted: bool = False  # answered from a restricted document: never memory elsewhere
