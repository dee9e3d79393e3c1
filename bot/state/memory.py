"""Conversation memory: the last turns of each conversation, trimmed and expiring.

A conversation is (platform, workspace, channel, thread); a DM is one conversation per
user whatever its threads. Personal answers (HR data about the asker) are kept verbatim
only in that user's DM; anywhere else the turn is stored with the answer redacted, so a
shared conversation's memory can never carry someone's personal figures.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol, cast

from redis.asyncio import Redis

from bot.models import ChatEvent, Turn
from bot.state.health import RedisHealth, RedisUnavailableError

REDACTED = "[personal answer sent privately; not kept in shared conversations]"


@dataclass(frozen=True)
class ConversationKey:
    platform: str
    workspace: str
    channel: str
    thread: str
    dm_user: str = ""  # set for DMs: the conversation belongs to this user

    @classmethod
    def of(cls, event: ChatEvent) -> ConversationKey:
        if event.is_dm:  # a DM's own thread (the assistant pane's) is a conversation of its own
            return cls(event.platform, event.workspace, "dm", event.thread, dm_user=event.user)
        return cls(event.platform, event.workspace, event.channel, event.thread or "")

    def redis_key(self) -> str:
        if self.dm_user:
            scope = f"dm:{self.dm_user}" + (f":{self.thread}" if self.thread else "")
        else:
            scope = f"{self.channel}:{self.thread}"
        return f"wikibot:mem:{self.platform}:{self.workspace}:{scope}"


def storable(key: ConversationKey, turn: Turn) -> Turn:
    """The turn as it may be stored in this conversation."""
    if turn.personal and not key.dm_user:
        return turn.model_copy(update={"answer": REDACTED, "cited_doc_ids": []})
    return turn


class ConversationMemory(Protocol):
    async def history(self, key: ConversationKey) -> list[Turn]: ...

    async def append(self, key: ConversationKey, turn: Turn) -> None: ...

    async def forget_user(self, platform: str, workspace: str, user: str) -> int: ...


class InProcessMemory:
    """The embedded default's memory (one process only)."""

    def __init__(self, *, turns: int = 10, ttl_s: float = 86400) -> None:
        self.turns, self.ttl_s = turns, ttl_s
        self._store: dict[ConversationKey, tuple[float, list[Turn]]] = {}
        self._by_user: dict[tuple[str, str, str], set[ConversationKey]] = {}

    async def history(self, key: ConversationKey) -> list[Turn]:
        expires, turns = self._store.get(key, (0.0, []))
        if expires < time.monotonic():
            self._store.pop(key, None)
            return []
        return list(turns)

    async def append(self, key: ConversationKey, turn: Turn) -> None:
        turns = (await self.history(key) + [storable(key, turn)])[-self.turns :]
        self._store[key] = (time.monotonic() + self.ttl_s, turns)
        self._by_user.setdefault((key.platform, key.workspace, turn.user), set()).add(key)

    async def forget_user(self, platform: str, workspace: str, user: str) -> int:
        removed = 0
        for key in self._by_user.pop((platform, workspace, user), set()):
            expires, turns = self._store.get(key, (0.0, []))
            kept = [t for t in turns if t.user != user]
            removed += len(turns) - len(kept)
            if kept:
                self._store[key] = (expires, kept)
            else:
                self._store.pop(key, None)
        return removed


class RedisMemory:
    """A Redis list per conversation (RPUSH + LTRIM + EXPIRE in one transaction), plus a
    set per user of the conversations they took part in, for ``forget``. When Redis is
    down, memory degrades to single-turn: no history, nothing stored."""

    def __init__(self, client: Redis, health: RedisHealth, *, turns: int = 10, ttl_s: int = 86400):
        self.client, self.health = client, health
        self.turns, self.ttl_s = turns, ttl_s

    async def history(self, key: ConversationKey) -> list[Turn]:
        try:
            raw = await self.health.run(lambda: self.client.lrange(key.redis_key(), 0, -1))
        except RedisUnavailableError:
            return []
        return [Turn.model_validate_json(item) for item in raw]

    async def append(self, key: ConversationKey, turn: Turn) -> None:
        name = key.redis_key()
        user_set = self._user_set(key.platform, key.workspace, turn.user)
        payload = storable(key, turn).model_dump_json()

        async def write() -> None:
            async with self.client.pipeline(transaction=True) as pipe:
                pipe.rpush(name, payload)
                pipe.ltrim(name, -self.turns, -1)
                pipe.expire(name, self.ttl_s)
                pipe.sadd(user_set, name)
                pipe.expire(user_set, self.ttl_s)
                await pipe.execute()

        try:
            await self.health.run(write)
        except RedisUnavailableError:
            return

    async def forget_user(self, platform: str, workspace: str, user: str) -> int:
        """Delete this user's turns from every conversation they took part in (others'
        turns stay); returns the number removed. Raises RedisUnavailableError when Redis is
        down: a deletion request must not silently do nothing."""
        user_set = self._user_set(platform, workspace, user)

        async def delete() -> int:
            removed = 0
            for name in await self.client.smembers(user_set):
                for item in await self.client.lrange(name, 0, -1):
                    if Turn.model_validate_json(item).user == user:
                        removed += int(await self.client.lrem(name, 0, cast(str, item)))
            await self.client.delete(user_set)
            return removed

        return await self.health.run(delete)

    @staticmethod
    def _user_set(platform: str, workspace: str, user: str) -> str:
        return f"wikibot:mem-user:{platform}:{workspace}:{user}"
