"""The outbox worker (`parlons worker`): posts the outbox to the API, in order, exactly once
in effect.

One worker posts at a time (a lease in Redis), so the API sees the writes in the order
residents made them (a ballot, then the ERASE that removes it); other workers wait as hot
standbys. The worker reads the consumer group, posts runs of ballot entries as one batch,
and acknowledges (and deletes) an entry only once the API has stored it. It asks one question
of a failure: did the API refuse the entry itself (`ApiRefused`, whatever the transport)?
Then the entry goes to the dead-letter stream for an operator. Anything else (the API down,
Redis away) is waited out with backoff while the entries wait. A worker that takes the lease
over claims whatever its dead predecessor had read and not acknowledged, and posts it again:
harmless, since every write is idempotent.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import secrets
import socket

from redis.asyncio import Redis
from redis.exceptions import RedisError

from api.schemas import BallotsIn
from bot.api_client import ApiClient, ApiRefused, ApiUnavailable
from bot.ops import metrics
from bot.outbox.entries import ballots_in, decode, perform
from bot.outbox.stream import GROUP, Outbox

log = logging.getLogger(__name__)

MAX_BATCH = BallotsIn.model_fields["ballots"].metadata[-1].max_length  # the API's limit

LEASE = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if not holder then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 2 end
return 0
"""
UNLEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class OutboxWorker:
    def __init__(
        self,
        redis: Redis,
        client: ApiClient,
        prefix: str = "parlons:",
        consumer: str | None = None,
        batch: int = MAX_BATCH,
        lease_seconds: float = 15,
        block_seconds: float = 1,
        backoff_max_seconds: float = 30,
    ) -> None:
        self.redis = redis
        self.client = client
        self.outbox = Outbox(redis, prefix)
        self.consumer = consumer or f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(2)}"
        self.batch = min(batch, MAX_BATCH)
        self.lease_key = f"{prefix}outbox:lease"
        self._lease_ms = int(lease_seconds * 1000)
        self._block_ms = int(block_seconds * 1000)
        self._backoff_max = backoff_max_seconds
        self._lease = redis.register_script(LEASE)
        self._unlease = redis.register_script(UNLEASE)
        self._failures = 0

    async def run(self, stop: asyncio.Event) -> None:
        log.info("outbox worker %s started", self.consumer)
        try:
            while not stop.is_set():
                try:
                    await self.step()
                    self._failures = 0
                except (ApiUnavailable, RedisError) as e:  # the API or Redis is away: wait
                    self._failures += 1
                    pause = min(self._backoff_max, 0.25 * 2**self._failures)
                    pause *= random.uniform(0.5, 1)  # workers restarted together spread out
                    log.warning("outbox: %s; retrying in %.1fs", e, pause)
                    await _sleep(stop, pause)
        finally:
            log.info("outbox worker %s stopped", self.consumer)

    async def release(self) -> None:
        """Hand the lease over at once, rather than when it expires."""
        await self._unlease(keys=[self.lease_key], args=[self.consumer])

    async def step(self, block: bool = True) -> int:
        """One round: hold the lease, read a batch, post it. Returns the entries done."""
        lease = await self._lease(keys=[self.lease_key], args=[self.consumer, self._lease_ms])
        if not lease:
            if block:
                await asyncio.sleep(self._block_ms / 1000)  # a standby: another worker drains
            return 0
        if lease == 2:  # just became the one posting
            await self.outbox.ensure_group()
            await self._claim_abandoned()
        entries = await self._read(block)
        done = 0
        i = 0
        while i < len(entries):
            run = _ballot_run(entries, i, self.batch)
            if run > 1:
                done += await self._post_ballots(entries[i : i + run])
            else:
                done += await self._post_one(*entries[i])
            i += run
        return done

    async def _claim_abandoned(self) -> None:
        """Take over what a worker that lost the lease (killed, stalled) had read."""
        start = "0-0"
        while True:
            start, claimed, *_ = await self.redis.xautoclaim(
                self.outbox.stream, GROUP, self.consumer, min_idle_time=0, start_id=start
            )
            if claimed:
                log.info("outbox: took over %d unacknowledged entries", len(claimed))
            if start in (b"0-0", "0-0"):
                break
        for consumer in await self.redis.xinfo_consumers(self.outbox.stream, GROUP):
            name = _text(consumer["name"])
            if name != self.consumer and not consumer["pending"]:
                # A worker gone for good: keep `parlons outbox` listing only live ones.
                await self.redis.xgroup_delconsumer(self.outbox.stream, GROUP, name)

    async def _read(self, block: bool) -> list[tuple[str, bytes]]:
        # Our own unacknowledged entries first (a post that failed), then new ones.
        for start, wait in (("0", None), (">", self._block_ms if block else None)):
            found = await self.redis.xreadgroup(
                GROUP, self.consumer, {self.outbox.stream: start}, count=self.batch, block=wait
            )
            messages = found[0][1] if found else []
            if gone := [_text(i) for i, fields in messages if not fields]:
                await self._ack(gone)  # deleted while pending: nothing left to post
            if entries := [(_text(i), fields[b"e"]) for i, fields in messages if fields]:
                return entries
        return []

    async def _post_ballots(self, entries: list[tuple[str, bytes]]) -> int:
        try:
            ballots = [b for _, raw in entries for b in ballots_in(raw)]
            await self.client.cast_ballots(ballots)
        except ApiRefused:
            # One entry spoils the batch: post each alone so the others still land.
            return sum([await self._post_one(i, raw) for i, raw in entries])
        await self._ack([i for i, _ in entries])
        metrics.OUTBOX_POSTED.inc(len(ballots))
        return len(entries)

    async def _post_one(self, entry_id: str, raw: bytes) -> int:
        try:
            entry = decode(raw)
            await perform(self.client, entry)
        except ApiRefused as refused:
            log.error("outbox: entry %s refused, moved to dead letters: %s", entry_id, refused)
            await self.outbox.add_dead(entry_id, raw, str(refused))
            metrics.OUTBOX_DEAD.inc()
            return 1
        await self._ack([entry_id])
        if entry["kind"] == "ballots":
            metrics.OUTBOX_POSTED.inc(len(entry["ballots"]))
        return 1

    async def _ack(self, ids: list[str]) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xack(self.outbox.stream, GROUP, *ids)
            pipe.xdel(self.outbox.stream, *ids)  # posted: the stream keeps only what waits
            await pipe.execute()


def _ballot_run(entries: list[tuple[str, bytes]], start: int, limit: int) -> int:
    """How many entries from `start` are ballots that can go in one post (at least 1)."""
    end, count = start, 0
    while end < len(entries):
        entry = _peek(entries[end][1])
        if entry is None or entry["kind"] != "ballots":
            break
        count += len(entry["ballots"])
        if count > limit and end > start:
            break
        end += 1
    return max(end - start, 1)


def _peek(raw: bytes) -> dict | None:
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        pass
