"""What a resident costs in Redis, and how many round trips a turn takes.

`python -m bench.redis_sessions` plays residents on the demo consultation through the real
runtime in Redis mode (the shared Redis at PARLONS_REDIS_URL, default 127.0.0.1:6379, under
a key prefix of its own, deleted at the end): each greets, then votes. It prints the bytes
Redis holds per resident (their session, and the answers kept for re-deliveries), the
bytes an outbox entry takes until the worker posts it, and the Redis commands per turn.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
import uuid

from redis.asyncio import Redis

from bot import services
from bot.settings import DEMO_CONSULTATION, Settings
from bot.stores.redis import RedisStore
from channels import sms

RESIDENTS = 300
VOTES = 8
REDIS_URL = os.environ.get("PARLONS_REDIS_URL", "redis://127.0.0.1:6379/0")


class CountingRedis(Redis):
    sent = 0

    async def execute_command(self, *args, **options):  # noqa: ANN002, ANN003, ANN201
        self.sent += 1
        return await super().execute_command(*args, **options)


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
        parlons = services.build(settings)
        counting = CountingRedis.from_url(REDIS_URL)
        parlons.runtime.store = RedisStore(counting, prefix)
        await parlons.start()
        turn_ms: list[float] = []
        turns = 0
        try:
            warm_up = {"MessageSid": "SMwarm", "From": "+33600000000", "Body": "Bonjour"}
            await parlons.runtime.handle(sms.parse(warm_up))  # loads the scripts into Redis
            counting.sent = 0
            for n in range(RESIDENTS):
                number = f"+3369{n:08d}"
                for body in ["Bonjour", *("1" if v % 2 else "2" for v in range(VOTES))]:
                    form = {"MessageSid": f"SM{uuid.uuid4().hex}", "From": number, "Body": body}
                    started = time.perf_counter()
                    await parlons.runtime.handle(sms.parse(form))
                    turn_ms.append((time.perf_counter() - started) * 1000)
                    turns += 1
            sent = counting.sent
            sessions = await memory(counting, f"{prefix}session:*")
            answers = await memory(counting, f"{prefix}seen:*")
            outbox = await counting.memory_usage(f"{prefix}outbox", samples=0)
            queued = await counting.xlen(f"{prefix}outbox")
        finally:
            async for key in counting.scan_iter(match=f"{prefix}*"):
                await counting.delete(key)
            await counting.aclose()
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
    print("| turns | Redis commands per turn | median turn (ms) | p95 turn (ms) |")
    print("|---|---|---|---|")
    p95 = statistics.quantiles(turn_ms, n=20)[-1]
    print(f"| {turns} | {sent / turns:.2f} | {statistics.median(turn_ms):.2f} | {p95:.2f} |")


if __name__ == "__main__":
    asyncio.run(main())
