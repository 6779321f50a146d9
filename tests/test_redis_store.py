"""The Redis store, against the real Redis: one turn at a time per resident across workers,
re-deliveries answered from Redis, and two round trips a turn."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from bot.stores.redis import LockLost, RedisStore
from tests.conftest import REDIS_URL


class CountingRedis(Redis):
    """Counts the commands sent (a script run by EVALSHA is one)."""

    sent = 0

    async def execute_command(self, *args, **options):  # noqa: ANN002, ANN003, ANN201
        self.sent += 1
        return await super().execute_command(*args, **options)


@pytest.fixture
async def redis(redis_prefix: str) -> AsyncIterator[CountingRedis]:
    client = CountingRedis.from_url(REDIS_URL)
    yield client
    await client.aclose()


def worker(redis: Redis, prefix: str, **options: float) -> RedisStore:
    """One uvicorn worker's store: its own connection, the same Redis."""
    return RedisStore(Redis.from_url(REDIS_URL) if redis is None else redis, prefix, **options)


async def test_two_workers_take_one_residents_turns_one_after_the_other(
    redis: Redis, redis_prefix: str
) -> None:
    stores = [worker(redis, redis_prefix), worker(Redis.from_url(REDIS_URL), redis_prefix)]
    order: list[str] = []

    async def turn(store: RedisStore, name: str) -> None:
        async with store.turn("ref-1", name) as state:
            order.append(f"{name} in")
            await asyncio.sleep(0.02)
            order.append(f"{name} out")
            state.save((state.session or b"") + name.encode(), b"{}")

    await asyncio.gather(turn(stores[0], "a"), turn(stores[1], "b"))
    assert order in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])
    async with stores[0].turn("ref-1", "c") as state:
        assert state.session in (b"ab", b"ba")  # each turn saw the other's session
    await stores[1].redis.aclose()


async def test_a_message_seen_before_is_replayed_and_an_unsaved_turn_changes_nothing(
    redis: Redis, redis_prefix: str
) -> None:
    store = worker(redis, redis_prefix)
    async with store.turn("ref-1", "sms:SM1") as state:
        state.save(b"session-1", b"outcome-1")
    async with store.turn("ref-1", "sms:SM1") as state:
        assert state.replay == b"outcome-1"
    async with store.turn("ref-1", "sms:SM2") as state:
        assert (state.session, state.replay) == (b"session-1", None)  # and nothing saved
    async with store.turn("ref-1", "sms:SM2") as state:
        assert state.replay is None


async def test_a_failed_turn_releases_the_lock_and_saves_nothing(
    redis: Redis, redis_prefix: str
) -> None:
    store = worker(redis, redis_prefix)
    with pytest.raises(ZeroDivisionError):
        async with store.turn("ref-1", "sms:SM1") as state:
            state.save(b"session", b"outcome")
            state.enqueue(b"ballot")
            raise ZeroDivisionError
    async with store.turn("ref-1", "sms:SM1") as state:  # would wait 10 s on a held lock
        assert (state.session, state.replay) == (None, None)
    assert await redis.xlen(store.outbox_key) == 0


async def test_the_outbox_entries_are_written_with_the_session(
    redis: Redis, redis_prefix: str
) -> None:
    store = worker(redis, redis_prefix)
    async with store.turn("ref-1", "sms:SM1") as state:
        state.enqueue(b"first")
        state.enqueue(b"second")
        state.save(b"session", b"outcome")
    entries = await redis.xrange(store.outbox_key)
    assert [fields[b"e"] for _, fields in entries] == [b"first", b"second"]


async def test_a_turn_that_outlived_its_lock_saves_nothing(redis: Redis, redis_prefix: str) -> None:
    slow = worker(redis, redis_prefix, lock_seconds=0.05)
    fast = worker(redis, redis_prefix)
    with pytest.raises(LockLost):
        async with slow.turn("ref-1", "sms:SM1") as state:
            await asyncio.sleep(0.1)  # the lock expires; another worker takes the resident
            async with fast.turn("ref-1", "sms:SM2") as other:
                other.save(b"fast", b"outcome-2")
            state.enqueue(b"ballot")
            state.save(b"slow", b"outcome-1")
    async with fast.turn("ref-1", "sms:SM1") as state:
        assert (state.session, state.replay) == (b"fast", None)  # SM1 will be taken afresh
    assert await redis.xlen(slow.outbox_key) == 0


async def test_a_turn_costs_two_round_trips_and_a_replay_one(
    redis: CountingRedis, redis_prefix: str
) -> None:
    store = worker(redis, redis_prefix)
    async with store.turn("ref-0", "sms:SM0") as state:  # loads the scripts into Redis
        state.save(b"session", b"outcome")
    redis.sent = 0
    async with store.turn("ref-1", "sms:SM1") as state:
        state.enqueue(b"ballot")
        state.save(b"session", b"outcome")
    assert redis.sent == 2
    redis.sent = 0
    async with store.turn("ref-1", "sms:SM1") as state:
        assert state.replay == b"outcome"
    assert redis.sent == 1


async def test_sessions_and_answers_expire(redis: Redis, redis_prefix: str) -> None:
    store = worker(redis, redis_prefix, session_seconds=3600, replay_seconds=60)
    async with store.turn("ref-1", "sms:SM1") as state:
        state.save(b"session", b"outcome")
    session, lock, seen = (
        f"{redis_prefix}session:ref-1",
        f"{redis_prefix}lock:ref-1",
        (f"{redis_prefix}seen:sms:SM1"),
    )
    assert 3590_000 < await redis.pttl(session) <= 3600_000
    assert 50_000 < await redis.pttl(seen) <= 60_000
    assert not await redis.exists(lock)
