"""The Redis store, against the real Redis: one turn at a time per resident across workers,
re-deliveries answered from Redis, and two round trips a turn, the abuse limits' counters
included."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from fastapi.testclient import TestClient
from redis.asyncio import Redis

from bench.redis_sessions import CountingConnection, count_round_trips
from bot import wiring
from bot.app import create_app
from bot.settings import Settings
from bot.stores import Counted
from bot.stores.redis import LockLost, LockTimeout, RedisStore
from bot.wiring import connect_redis
from tests.conftest import REDIS_URL, Phone


@pytest.fixture
async def redis(redis_prefix: str) -> AsyncIterator[Redis]:
    """A client whose round trips `CountingConnection` counts."""
    client = Redis.from_url(REDIS_URL)
    count_round_trips(client)
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
            # The worker stalls whole (a stopped VM: not even its renewal runs); the lock
            # expires and another worker takes the resident.
            time.sleep(0.1)  # noqa: ASYNC251
            async with fast.turn("ref-1", "sms:SM2") as other:
                other.save(b"fast", b"outcome-2")
            state.enqueue(b"ballot")
            state.save(b"slow", b"outcome-1")
    async with fast.turn("ref-1", "sms:SM1") as state:
        assert (state.session, state.replay) == (b"fast", None)  # SM1 will be taken afresh
    assert await redis.xlen(slow.outbox_key) == 0


async def test_a_slow_turn_keeps_its_lock_past_the_lease_and_the_next_one_waits_for_it(
    redis: Redis, redis_prefix: str
) -> None:
    slow = worker(redis, redis_prefix, lock_seconds=0.3)
    other = worker(Redis.from_url(REDIS_URL), redis_prefix, lock_seconds=0.3, lock_wait_seconds=0.2)
    async with slow.turn("ref-1", "sms:SM1") as state:
        await asyncio.sleep(1)  # over three leases: renewed while the turn runs
        with pytest.raises(LockTimeout):  # still held: another worker gives up waiting
            async with other.turn("ref-1", "sms:SM2"):
                pass
        state.save(b"slow", b"outcome-1")
    async with other.turn("ref-1", "sms:SM2") as state:  # let go at once after it
        assert state.session == b"slow"
    await other.redis.aclose()


async def test_a_begin_sent_again_after_its_reply_was_lost_finds_its_own_lock(
    redis: Redis, redis_prefix: str
) -> None:
    """redis-py sends a command again after a connection error: the first BEGIN may have taken
    the lock. The lock holds this turn's token: it is this turn's, not another's to wait for."""
    store = worker(redis, redis_prefix)
    keys, args = store.keys("ref-1", "sms:SM1"), ["token-1", 10_000]
    assert (await store._begin(keys=keys, args=args))[0] == 2  # locked
    assert (await store._begin(keys=keys, args=args))[0] == 2  # again: still this turn's
    assert (await store._begin(keys=keys, args=["token-2", 10_000]))[0] == 1  # another: busy


async def test_a_turn_costs_two_round_trips_counters_included_and_a_replay_one(
    redis: Redis, redis_prefix: str
) -> None:
    store = worker(redis, redis_prefix)
    counters = [Counted("minute", 60), Counted("day", 86400), Counted("ideas", 86400, 0)]
    async with store.turn("ref-0", "sms:SM0", counters) as state:  # loads the scripts
        state.save(b"session", b"outcome")
    CountingConnection.reset()
    async with store.turn("ref-1", "sms:SM1", counters) as state:
        assert state.counts == [2, 2, 0]
        state.enqueue(b"ballot")
        state.count_on_save(Counted("ideas", 86400))  # an idea sent: counted as it is saved
        state.save(b"session", b"outcome")
    assert CountingConnection.round_trips == 2
    assert await store.count([Counted("ideas", 86400, 0)]) == [1]
    assert 0 < await redis.ttl(f"{redis_prefix}count:ideas") <= 86400
    CountingConnection.reset()
    async with store.turn("ref-1", "sms:SM1", counters) as state:
        assert state.replay == b"outcome"
    assert CountingConnection.round_trips == 1


async def test_a_residents_message_through_the_webhook_costs_two_round_trips(
    redis_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole turn as Twilio drives it, abuse limits and all: a third trip fails here."""

    def counting_redis(settings: Settings) -> Redis | None:
        client = connect_redis(settings)
        count_round_trips(client)
        return client

    monkeypatch.setattr(wiring, "connect_redis", counting_redis)
    with TestClient(create_app(redis_settings)) as client:
        phone = Phone(client, "+33639980190")
        assert "Proposition 1" in phone.send("Bonjour")  # loads the scripts into Redis
        trips = []
        for body in ("1", "2", "3"):
            CountingConnection.reset()
            assert phone.send(body).startswith("Noté.")  # the ballot, into the outbox
            trips.append(CountingConnection.round_trips)
        phone.send("idée")
        phone.send("Il faut des bancs au parc Salvator")
        CountingConnection.reset()
        assert "Un modérateur" in phone.send("1")  # the idea, into the outbox and counted
        trips.append(CountingConnection.round_trips)
    assert trips == [2, 2, 2, 2]


async def test_the_counters_count_once_a_message_and_keep_their_window(
    redis: Redis, redis_prefix: str
) -> None:
    store = worker(redis, redis_prefix)
    other = worker(Redis.from_url(REDIS_URL), redis_prefix)
    count_round_trips(other.redis)
    await other.redis.ping()  # connected: from now on its round trips are its BEGINs
    minute = [Counted("minute", 60)]

    async def second_message() -> None:
        async with other.turn("ref-1", "sms:SM2", minute) as state:
            assert state.counts == [2]  # counted once, however many times it knocked
            state.save(b"two", b"outcome-2")

    async with store.turn("ref-1", "sms:SM1", minute) as state:
        assert state.counts == [1]
        CountingConnection.reset()
        waiting = asyncio.create_task(second_message())
        # BEGIN, again and again: the lock is held.
        while CountingConnection.round_trips < 3 and not waiting.done():
            await asyncio.sleep(0.001)
        state.save(b"one", b"outcome-1")
    await waiting
    async with store.turn("ref-1", "sms:SM1", minute) as state:
        assert (state.replay, state.counts) == (b"outcome-1", [])  # Twilio retrying: not counted
    assert await store.count(minute) == [3]  # and the same counter outside a turn
    assert 0 < await redis.ttl(f"{redis_prefix}count:minute") <= 60
    await other.redis.aclose()


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
