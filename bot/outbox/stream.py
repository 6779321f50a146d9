"""The ballot outbox: API writes queued on a Redis Stream, in the order residents made them.

In Redis mode a turn does not write to the API: it appends its writes (ballots, an idea, a
profile, an ERASE) to the stream in the same script that saves the session (bot/stores/
redis.py), and `parlons worker` (bot/outbox/worker.py) posts them. Every write is idempotent (a
ballot carries a key derived from the message), so posting an entry twice changes nothing.
An entry the API refuses goes to a dead-letter stream, where `parlons outbox` shows it and
puts it back.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from redis.asyncio import Redis
from redis.exceptions import ResponseError

# The consumer group of the workers: its name is kept in Redis, so it keeps its first one.
GROUP = "drainers"


@dataclass(frozen=True)
class Status:
    waiting: int  # entries in the stream not yet posted (read or not)
    pending: int  # of those, read by a worker that has not acknowledged them yet
    dead: int  # entries the API refused, waiting for an operator
    workers: list[str]  # consumers of the group


@dataclass(frozen=True)
class DeadLetter:
    id: str
    kind: str
    error: str
    failed_at: str
    entries: int  # ballots in it, or 1


class Outbox:
    def __init__(self, redis: Redis, prefix: str = "parlons:") -> None:
        self.redis = redis
        self.stream = f"{prefix}outbox"
        self.dead_stream = f"{prefix}outbox:dead"

    async def ensure_group(self) -> None:
        try:
            # From the start of the stream: entries written before any worker ran are kept.
            await self.redis.xgroup_create(self.stream, GROUP, id="0", mkstream=True)
        except ResponseError as e:
            if "BUSYGROUP" not in str(e):
                raise

    async def status(self) -> Status:
        await self.ensure_group()
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.xlen(self.stream)
            pipe.xpending(self.stream, GROUP)
            pipe.xlen(self.dead_stream)
            pipe.xinfo_consumers(self.stream, GROUP)
            waiting, pending, dead, consumers = await pipe.execute()
        names = [_text(c["name"]) for c in consumers]
        return Status(waiting, pending["pending"], dead, names)

    async def depth(self) -> int:
        return await self.redis.xlen(self.stream)

    async def add_dead(self, entry_id: str, raw: bytes, error: str) -> None:
        """Move one entry to the dead-letter stream and out of the outbox, atomically."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xadd(
                self.dead_stream,
                {
                    "e": raw,
                    "error": error[:500],
                    "from": entry_id,
                    "failed_at": datetime.now(UTC).isoformat(timespec="seconds"),
                },
            )
            pipe.xack(self.stream, GROUP, entry_id)
            pipe.xdel(self.stream, entry_id)
            await pipe.execute()

    async def dead_letters(self, count: int = 100) -> list[DeadLetter]:
        letters = []
        for entry_id, fields in await self.redis.xrange(self.dead_stream, count=count):
            entry = json.loads(fields[b"e"])
            letters.append(
                DeadLetter(
                    id=_text(entry_id),
                    kind=entry.get("kind", "?"),
                    error=_text(fields[b"error"]),
                    failed_at=_text(fields[b"failed_at"]),
                    entries=len(entry.get("ballots", [None])),
                )
            )
        return letters

    async def retry(self, ids: Sequence[str] | None = None) -> int:
        """Put dead letters back at the end of the outbox (all of them when `ids` is None)."""
        if ids is None:
            found = await self.redis.xrange(self.dead_stream)
        else:
            found = [m for i in ids for m in await self.redis.xrange(self.dead_stream, i, i)]
        for entry_id, fields in found:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.xadd(self.stream, {"e": fields[b"e"]})
                pipe.xdel(self.dead_stream, entry_id)
                await pipe.execute()
        return len(found)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
