"""The in-process store: one turn at a time per resident, re-deliveries remembered, sessions
that expire."""

from __future__ import annotations

import asyncio

import pytest

from bot.stores import Counted, LockTimeout, MemoryStore


async def test_two_turns_of_one_resident_run_one_after_the_other() -> None:
    store = MemoryStore()
    order: list[str] = []

    async def turn(name: str) -> None:
        async with store.turn("ref-1", name) as state:
            order.append(f"{name} in")
            await asyncio.sleep(0.01)
            order.append(f"{name} out")
            state.save(name.encode(), b"{}")

    await asyncio.gather(turn("a"), turn("b"))
    assert order in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])


async def test_a_message_seen_before_is_replayed_and_an_unsaved_turn_changes_nothing() -> None:
    store = MemoryStore()
    async with store.turn("ref-1", "sms:SM1") as state:
        state.save(b"session-1", b"outcome-1")
    async with store.turn("ref-1", "sms:SM1") as state:
        assert state.replay == b"outcome-1"
    async with store.turn("ref-1", "sms:SM2") as state:
        assert (state.session, state.replay) == (b"session-1", None)  # and nothing saved
    async with store.turn("ref-1", "sms:SM2") as state:
        assert state.replay is None


async def test_a_turn_counts_its_counters_and_a_re_delivery_counts_nothing() -> None:
    store = MemoryStore()
    counters = [Counted("minute", 60), Counted("ideas", 86400, 0)]
    async with store.turn("ref-1", "sms:SM1", counters) as state:
        assert state.counts == [1, 0]
        state.save(b"session", b"outcome")
    async with store.turn("ref-1", "sms:SM1", counters) as state:
        assert (state.replay, state.counts) == (b"outcome", [])
    async with store.turn("ref-1", "sms:SM2", counters) as state:
        assert state.counts == [2, 0]
    assert await store.count([Counted("minute", 60, 0)]) == [2]  # the same counter, outside


async def test_a_session_expires_after_its_time() -> None:
    store = MemoryStore(session_seconds=0.05)
    async with store.turn("ref-1", "m1") as state:
        state.save(b"session", b"{}")
    async with store.turn("ref-1", "m2") as state:
        assert state.session == b"session"
    await asyncio.sleep(0.06)
    async with store.turn("ref-1", "m3") as state:
        assert state.session is None


async def test_a_turn_stuck_holding_the_lock_makes_the_next_one_give_up_not_wait_forever() -> None:
    store = MemoryStore(lock_wait_seconds=0.1)
    stuck = asyncio.Event()

    async def stuck_at_the_database() -> None:
        async with store.turn("ref-1", "sms:SM1"):
            stuck.set()
            await asyncio.sleep(3600)

    first = asyncio.create_task(stuck_at_the_database())
    await stuck.wait()
    with pytest.raises(LockTimeout):
        async with store.turn("ref-1", "sms:SM2"):
            pass
    async with store.turn("ref-2", "sms:SM3") as state:  # another resident is not held up
        state.save(b"other", b"{}")
    first.cancel()  # the turn's deadline: a cancelled turn lets go of its lock
    with pytest.raises(asyncio.CancelledError):
        await first
    async with store.turn("ref-1", "sms:SM2") as state:
        assert (state.session, state.replay) == (None, None)
        state.save(b"taken", b"{}")
