"""Sessions, locks and re-delivery keys in Redis, for any number of stateless workers.

A turn costs two round trips, each one Lua script (atomic, sent by EVALSHA):

- `BEGIN`: answered before? return that outcome. Otherwise take the participant's lock
  (`SET NX PX`), count the abuse limits' counters and return them with the session.
- `COMMIT`: still holding the lock? save the session and the outcome under the message id,
  append the turn's outbox entries to the stream, add to the counters the turn counted (an
  idea sent), release the lock.

So the session, the "this message was answered" key and the ballots it thanked for are
written together or not at all. A turn that outlived its lock (a stalled worker) commits
nothing and fails: the resident gets no reply and the re-delivered message is taken afresh.

The lock is a lease (`lock_seconds`, the turn deadline): a turn that dies with its process,
or that cannot reach Redis to let go, leaves a lock that ends with the lease, not long after.
A turn still running after a third of the lease renews it (`RENEW`), and again every third,
so a slow turn keeps its lock and a fast one (nearly all) costs no third round trip. The
token fences it: `COMMIT` and `RENEW` act only for the turn that holds the lock.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from redis.commands.core import AsyncScript

from bot.stores.base import Counted, LockLost, LockTimeout, TurnState

log = logging.getLogger(__name__)

# Counters from KEYS[first_key] on, each with its window and what to add in ARGV from
# ARGV[first_arg]. A window starts with its key (SET NX EX) and INCRBY keeps its expiry.
COUNT_FUNCTION = """
local function count(first_key, first_arg)
  local counts = {}
  for i = first_key, #KEYS do
    local a = first_arg + 2 * (i - first_key)
    redis.call('SET', KEYS[i], 0, 'EX', ARGV[a], 'NX')
    counts[#counts + 1] = redis.call('INCRBY', KEYS[i], ARGV[a + 1])
  end
  return counts
end
"""

COUNT = COUNT_FUNCTION + "return count(1, 1)"

# Counted only once the lock is taken: a replay and a BUSY retry count nothing (see
# TurnStore.turn). A turn that then fails has counted, and its re-delivery counts again:
# rare, and at worst one message nearer the limit. A lock holding this turn's own token is
# this turn's: the client sent BEGIN again after a reply lost with the connection.
BEGIN = (
    COUNT_FUNCTION
    + """
local seen = redis.call('GET', KEYS[2])
if seen then return {0, seen} end
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
  and redis.call('GET', KEYS[1]) ~= ARGV[1] then return {1} end
return {2, count(4, 3), redis.call('GET', KEYS[3])}
"""
)
_REPLAY, _BUSY, _LOCKED = 0, 1, 2

# Counters from KEYS[5] on, their windows and additions from ARGV[6], then the outbox entries.
COMMIT = (
    COUNT_FUNCTION
    + """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[3])  -- TurnState.forget
else
  redis.call('SET', KEYS[3], ARGV[2], 'PX', ARGV[3])
end
redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[5])
count(5, 6)
for i = 6 + 2 * (#KEYS - 4), #ARGV do redis.call('XADD', KEYS[4], '*', 'e', ARGV[i]) end
redis.call('DEL', KEYS[1])
return 1
"""
)

RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""

# After a failed turn, how long to try to let go of its lock: past that, the lease ends it
# (a webhook must not wait for an unreachable Redis to answer its resident).
LET_GO_SECONDS = 1

__all__ = ["LockLost", "LockTimeout", "RedisStore"]


class RedisStore:
    has_outbox = True  # a worker (`parlons worker`) posts the stream to the API

    def __init__(
        self,
        redis: Redis,
        prefix: str = "parlons:",
        session_seconds: float = 30 * 86400,
        replay_seconds: float = 86400,
        lock_seconds: float = 10,
        lock_wait_seconds: float = 10,
    ) -> None:
        self.redis = redis
        self.prefix = prefix
        self.outbox_key = f"{prefix}outbox"
        self._session_ms = int(session_seconds * 1000)
        self._replay_ms = int(replay_seconds * 1000)
        self._lock_ms = int(lock_seconds * 1000)
        self._lock_wait = lock_wait_seconds
        self._begin = redis.register_script(BEGIN)
        self._commit = redis.register_script(COMMIT)
        self._release = redis.register_script(RELEASE)
        self._renew = redis.register_script(RENEW)
        self._count = redis.register_script(COUNT)

    def keys(self, ref: str, message_key: str) -> list[str]:
        p = self.prefix
        return [f"{p}lock:{ref}", f"{p}seen:{message_key}", f"{p}session:{ref}"]

    def _counter_keys_and_args(self, counters: Sequence[Counted]) -> tuple[list[str], list[int]]:
        keys = [f"{self.prefix}count:{key}" for key, _window, _add in counters]
        return keys, [n for _key, window, add in counters for n in (window, add)]

    @asynccontextmanager
    async def turn(
        self, ref: str, message_key: str, counters: Sequence[Counted] = ()
    ) -> AsyncIterator[TurnState]:
        keys = self.keys(ref, message_key)
        counter_keys, counter_args = self._counter_keys_and_args(counters)
        token = secrets.token_hex(8)
        deadline = time.monotonic() + self._lock_wait
        pause = 0.002
        while True:
            try:
                status, *found = await self._begin(
                    keys=keys + counter_keys, args=[token, self._lock_ms, *counter_args]
                )
            except BaseException:  # cut off (a deadline, Redis gone) after it took the lock?
                await self._let_go(keys[0], token)
                raise
            if status == _REPLAY:
                yield TurnState(None, found[0])  # no lock taken, nothing to save
                return
            if status == _LOCKED:
                break
            if time.monotonic() >= deadline:
                raise LockTimeout(f"participant busy for {self._lock_wait}s")
            # Another worker is taking this resident's previous message: wait for it.
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.05)
        counts, session = found
        state = TurnState(session, None, counts=[int(n) for n in counts])
        try:
            renewal = Renewal(self._renew, keys[0], token, self._lock_ms)
            try:
                yield state
            finally:
                renewal.stop()
            saved = None
            if state.new_session is not None and state.outcome is not None:
                counted_keys, counted_args = self._counter_keys_and_args(state.counted)
                saved = await self._commit(
                    keys=[*keys, self.outbox_key, *counted_keys],
                    args=[token, state.new_session, self._session_ms, state.outcome]
                    + [self._replay_ms, *counted_args, *state.outbox],
                )
        except BaseException:
            await self._let_go(keys[0], token)
            raise
        if saved is None:  # nothing to save: a plain release
            await self._release(keys=keys[:1], args=[token])
        elif not saved:
            raise LockLost("the participant's lock expired before the turn ended")

    async def _let_go(self, lock: str, token: str) -> None:
        """Release the lock of a turn that failed, if Redis answers in time; otherwise its
        lease ends it."""
        try:
            async with asyncio.timeout(LET_GO_SECONDS):
                await self._release(keys=[lock], args=[token])
        except Exception as e:  # noqa: BLE001 (Redis unreachable: the lease will do)
            log.warning("lock left to its lease error=%s", type(e).__name__)

    async def ping(self) -> None:
        await self.redis.ping()

    async def count(self, counters: Sequence[Counted]) -> list[int]:
        keys, args = self._counter_keys_and_args(counters)
        return [int(n) for n in await self._count(keys=keys, args=args)]


class Renewal:
    """Renews a turn's lock every third of its lease while the turn runs: nothing happens for
    a turn shorter than that but a timer set and cancelled."""

    def __init__(self, renew: AsyncScript, lock: str, token: str, lease_ms: int) -> None:
        self._renew, self._lock, self._args = renew, lock, [token, lease_ms]
        self._every = lease_ms / 3000
        self._timer = asyncio.get_running_loop().call_later(self._every, self._start)
        self._task: asyncio.Task[None] | None = None

    def _start(self) -> None:
        self._task = asyncio.create_task(self._keep())

    async def _keep(self) -> None:
        while True:
            try:
                kept = await self._renew(keys=[self._lock], args=self._args)
            except Exception as e:  # noqa: BLE001 (Redis away: the turn fails on its own)
                log.warning("lock not renewed error=%s", type(e).__name__)
            else:
                if not kept:
                    log.warning("a turn outlived its lock: it will save nothing")
                    return
            await asyncio.sleep(self._every)

    def stop(self) -> None:
        self._timer.cancel()
        if self._task is not None:
            self._task.cancel()


def connect(url: str) -> Redis:
    """A Redis client for `url` that fails fast: a turn waits on Redis while a resident waits
    on us, so a webhook must never hang on it."""
    return Redis.from_url(url, socket_timeout=5, socket_connect_timeout=3)
