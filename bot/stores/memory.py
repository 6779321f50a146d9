"""In-process store for the embedded default: one process, nothing survives a restart but
what the database holds (opt-outs, ballots).

A resident's lock is an asyncio lock: a turn lets it go on every way out (an error, a
cancelled turn), so it never outlives its turn. A turn stuck at the database keeps it; the
next turn of that resident gives up after `lock_wait_seconds` with `LockTimeout`."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from bot.stores.base import Counted, LockTimeout, TurnState


class MemoryStore:
    has_outbox = False  # the runtime writes to the API before it replies

    def __init__(
        self,
        session_seconds: float = 30 * 86400,
        remembered_messages: int = 100_000,
        lock_wait_seconds: float = 10,
    ) -> None:
        self._lock_wait = lock_wait_seconds
        self._sessions: dict[str, tuple[bytes, float]] = {}  # session, when it expires
        self._session_seconds = session_seconds
        self._answered: OrderedDict[str, bytes] = OrderedDict()
        self._remembered = remembered_messages
        self._locks: dict[str, asyncio.Lock] = {}
        self._holders: dict[str, int] = {}
        self._counters: dict[str, tuple[float, int]] = {}  # key: when its window ends, count
        self._counters_swept = 1000

    @asynccontextmanager
    async def turn(
        self, ref: str, message_key: str, counters: Sequence[Counted] = ()
    ) -> AsyncIterator[TurnState]:
        lock = self._locks.setdefault(ref, asyncio.Lock())
        self._holders[ref] = self._holders.get(ref, 0) + 1
        try:
            await self._acquire(lock)
            try:
                state = TurnState(self._session(ref), self._answered.get(message_key))
                if state.replay is None:  # a re-delivery counts nothing (TurnStore.turn)
                    state.counts = self._count(counters)
                yield state
                if state.new_session is not None and state.outcome is not None:
                    if state.new_session:
                        expires = time.monotonic() + self._session_seconds
                        self._sessions[ref] = (state.new_session, expires)
                    else:
                        self._sessions.pop(ref, None)  # TurnState.forget
                    self._answered[message_key] = state.outcome
                    self._count(state.counted)
                    while len(self._answered) > self._remembered:
                        self._answered.popitem(last=False)
            finally:
                lock.release()
        finally:
            # Drop the lock once nobody holds or waits for it, so idle residents cost nothing.
            self._holders[ref] -= 1
            if not self._holders[ref]:
                del self._holders[ref], self._locks[ref]

    async def _acquire(self, lock: asyncio.Lock) -> None:
        try:
            async with asyncio.timeout(self._lock_wait):
                await lock.acquire()
        except TimeoutError:
            raise LockTimeout(f"participant busy for {self._lock_wait}s") from None

    def _session(self, ref: str) -> bytes | None:
        stored = self._sessions.get(ref)
        if stored is None:
            return None
        session, expires = stored
        if time.monotonic() >= expires:
            del self._sessions[ref]  # silent too long: the next message starts afresh
            return None
        return session

    async def ping(self) -> None:
        return None

    async def count(self, counters: Sequence[Counted]) -> list[int]:
        return self._count(counters)

    def _count(self, counters: Sequence[Counted]) -> list[int]:
        now = time.monotonic()
        if len(self._counters) > self._counters_swept * 2:
            # Forget the windows that ended, so a flood of numbers costs no lasting memory.
            self._counters = {k: v for k, v in self._counters.items() if v[0] > now}
            self._counters_swept = max(len(self._counters), 1000)
        values = []
        for key, window, add in counters:
            ends, n = self._counters.get(key, (0.0, 0))
            if now >= ends:
                ends, n = now + window, 0
            self._counters[key] = (ends, n + add)
            values.append(n + add)
        return values
