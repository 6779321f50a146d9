"""What a resident costs in Redis, and how many round trips a turn takes.

`python -m bench.redis_sessions` plays residents on the demo consultation through the real
runtime in Redis mode (the shared Redis at PARLONS_REDIS_URL, default 127.0.0.1:6379, under
a key prefix of its own, deleted at the end): each greets, then votes. It prints the bytes
Redis holds per resident (their session, and the answers kept for re-deliveries), the
bytes an outbox entry takes until the worker posts it, and the Redis round trips and commands
per turn, counted on the connections of the very client the app built (so the abuse limits'
counters, or anything else a turn sends to Redis, are counted too).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
import uuid

from redis.asyncio import Redis
from redis.asyncio.connection import Connection

from bot import wiring
from bot.settings import DEMO_CONSULTATION, Settings
from channels import sms

RESIDENTS = 300
VOTES = 8
REDIS_URL = os.environ.get("PARLONS_REDIS_URL", "redis://127.0.0.1:6379/0")


class CountingConnection(Connection):
    """A Redis connection counting what its clients send: round trips (one per send, so a
    whole pipeline or a script is one) and the commands in them (a script is one, EVALSHA)."""

    round_trips = 0
    commands = 0

    @classmethod
    def reset(cls) -> None:
        cls.round_trips = cls.commands = 0

    async def send_packed_command(self, command, check_health=True):  # noqa: ANN001, ANN201
        CountingConnection.round_trips += 1
        await super().send_packed_command(command, check_health)

    def pack_command(self, *args):  # noqa: ANN002, ANN201
        CountingConnection.commands += 1
        return super().pack_command(*args)


def count_round_trips(redis: Redis) -> None:
    """Count, with `CountingConnection`, what `redis` sends from now on: call it before the
    client opens its first connection."""
    redis.connection_pool.connection_class = CountingConnection


async def memory(redis: Redis, pattern: str) -> list[int]:
    return [await redis.memory_usage(k, samples=0) async for k in redis.scan_iter(match=pattern)]


async def main() -> None:
    prefix = f"parlons-bench:{uuid.uuid4().hex[:8]}:"
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{scratch}/bench.db",
            consultation=DEMO_CONSULTATION,
            redis_url=REDIS_URL,
            redis_prefix=prefix,
        )
        parlons = wiring.build(settings)
        redis = parlons.redis
        count_round_trips(redis)
        await parlons.start()
        turn_ms: list[float] = []
        turns = 0
        try:
            warm_up = {"MessageSid": "SMwarm", "From": "+33600000000", "Body": "Bonjour"}
            await parlons.runtime.handle(sms.parse(warm_up))  # loads the scripts into Redis
            CountingConnection.reset()
            for n in range(RESIDENTS):
                number = f"+3369{n:08d}"
                for body in ["Bonjour", *("1" if v % 2 else "2" for v in range(VOTES))]:
                    form = {"MessageSid": f"SM{uuid.uuid4().hex}", "From": number, "Body": body}
                    started = time.perf_counter()
                    await parlons.runtime.handle(sms.parse(form))
                    turn_ms.append((time.perf_counter() - started) * 1000)
                    turns += 1
            round_trips, commands = CountingConnection.round_trips, CountingConnection.commands
            sessions = await memory(redis, f"{prefix}session:*")
            answers = await memory(redis, f"{prefix}seen:*")
            outbox = await redis.memory_usage(f"{prefix}outbox", samples=0)
            queued = await redis.xlen(f"{prefix}outbox")
        finally:
            async for key in redis.scan_iter(match=f"{prefix}*"):
                await redis.delete(key)
            await parlons.stop()

    messages = 1 + VOTES
    per_resident = statistics.median(sessions) + messages * statistics.median(answers)
    print(f"{RESIDENTS} residents, each 'Bonjour' then {VOTES} votes ({turns} turns), Redis mode\n")
    print("| what | bytes in Redis |")
    print("|---|---|")
    print(f"| a resident's session (median) | {statistics.median(sessions):.0f} |")
    print(
        f"| an answer kept for a re-delivery (median, {settings.replay_hours:g} h) |"
        f" {statistics.median(answers):.0f} |"
    )
    print(
        f"| a resident after {turns // RESIDENTS} messages (session + answers) |"
        f" {per_resident:.0f} |"
    )
    print(f"| an outbox entry until posted (one turn's ballot) | {outbox / queued:.0f} |")
    print()
    print("| turns | Redis round trips per turn | commands per turn | median (ms) | p95 (ms) |")
    print("|---|---|---|---|---|")
    p95 = statistics.quantiles(turn_ms, n=20)[-1]
    print(
        f"| {turns} | {round_trips / turns:.2f} | {commands / turns:.2f}"
        f" | {statistics.median(turn_ms):.2f} | {p95:.2f} |"
    )


if __name__ == "__main__":
    asyncio.run(main())
