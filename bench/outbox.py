"""How many ballots a second `parlons worker` posts from the outbox to the API.

`python -m bench.outbox` queues BALLOTS ballots on the outbox stream (one entry each, as
residents' turns make them; the shared Redis, a key prefix of its own), then times a worker
emptying it into the demo consultation: with the API in the worker's process on SQLite and
on PostgreSQL, and over HTTP to a `parlons serve --api-only` process on PostgreSQL (the
production layout), at two batch sizes. The database is emptied before each row.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import httpx
from redis.asyncio import Redis
from sqlalchemy import text

from api import db
from api.schemas import BallotIn
from bot.commands import worker
from bot.outbox.entries import ballots_entry
from bot.settings import DEMO_CONSULTATION, Settings

PARTICIPANTS, PROPOSALS = 250, 40
BALLOTS = PARTICIPANTS * PROPOSALS
REDIS_URL = os.environ.get("PARLONS_REDIS_URL", "redis://127.0.0.1:6379/0")
POSTGRES_URL = os.environ.get(
    "PARLONS_BENCH_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/parlons_bench"
)
TOKEN = "bench-bot-token"


async def empty_postgres() -> None:
    name = POSTGRES_URL.rsplit("/", 1)[1]
    server = db.create_engine(POSTGRES_URL.rsplit("/", 1)[0] + "/postgres")
    async with server.connect() as c:
        await c.execution_options(isolation_level="AUTOCOMMIT")
        if not await c.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            await c.execute(text(f'CREATE DATABASE "{name}"'))
    await server.dispose()
    engine = db.create_engine(POSTGRES_URL)
    async with engine.begin() as c:
        await c.execute(text("DROP SCHEMA public CASCADE"))
        await c.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


async def enqueue(redis: Redis, stream: str, proposal_ids: list[int]) -> None:
    async with redis.pipeline(transaction=False) as pipe:
        for n in range(PARTICIPANTS):
            for i, proposal in enumerate(proposal_ids):
                ballot = BallotIn(
                    participant=f"bench-participant-{n:06d}",
                    proposal_id=proposal,
                    choice=("agree", "disagree", "skip")[(n + i) % 3],
                    channel="sms",
                    language="fr",
                    idempotency_key=f"sms:SMbench{n:06d}x{proposal}:0",
                )
                pipe.xadd(stream, {"e": ballots_entry([ballot])})
        await pipe.execute()


async def run(settings: Settings, batch: int) -> float:
    """Ballots per second, draining BALLOTS queued ballots."""
    redis = Redis.from_url(REDIS_URL)
    try:
        async with worker.outbox_worker(settings, batch=batch) as posting:
            ids = [p.id for p in await posting.client.next_proposals("bench-reader", "fr", 50, [])]
            await enqueue(redis, f"{settings.redis_prefix}outbox", ids[:PROPOSALS])
            started = time.perf_counter()
            posted = 0
            while done := await posting.step(block=False):
                posted += done
            elapsed = time.perf_counter() - started
        assert posted == BALLOTS, (posted, BALLOTS)
        return BALLOTS / elapsed
    finally:
        async for key in redis.scan_iter(match=f"{settings.redis_prefix}*"):
            await redis.delete(key)
        await redis.aclose()


def api_process(database_url: str) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PARLONS_DATABASE_URL": database_url, "PARLONS_API_TOKEN": TOKEN}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--api-only", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{url}/api/v1/consultations/mulhouse").status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    process.kill()
    raise RuntimeError("the API process did not start")


async def main() -> None:
    print(f"{BALLOTS} ballots queued ({PARTICIPANTS} residents x {PROPOSALS} proposals),")
    print("one outbox entry each, drained by one worker\n")
    print("| API | database | batch | ballots/s |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as scratch:
        for batch in (50, 500):
            prefix = f"parlons-bench:{uuid.uuid4().hex[:8]}:"
            sqlite = f"sqlite+aiosqlite:///{scratch}/bench-{batch}.db"
            settings = Settings(
                database_url=sqlite,
                consultation=DEMO_CONSULTATION,
                redis_url=REDIS_URL,
                redis_prefix=prefix,
            )
            print(f"| in the worker | SQLite | {batch} | {await run(settings, batch):,.0f} |")
    try:
        await empty_postgres()
    except OSError as e:
        print(f"| - | PostgreSQL | - | unavailable ({e}) |")
        return
    for batch in (50, 500):
        await empty_postgres()
        settings = Settings(
            database_url=POSTGRES_URL,
            consultation=DEMO_CONSULTATION,
            redis_url=REDIS_URL,
            redis_prefix=f"parlons-bench:{uuid.uuid4().hex[:8]}:",
        )
        print(f"| in the worker | PostgreSQL | {batch} | {await run(settings, batch):,.0f} |")
    for batch in (50, 500):
        await empty_postgres()
        process, url = api_process(POSTGRES_URL)
        try:
            settings = Settings(
                database_url=POSTGRES_URL,
                consultation=DEMO_CONSULTATION,
                redis_url=REDIS_URL,
                redis_prefix=f"parlons-bench:{uuid.uuid4().hex[:8]}:",
                api_url=url,
                api_token=TOKEN,
            )
            rate = await run(settings, batch)
        finally:
            process.terminate()
            process.wait()
        print(f"| over HTTP, another process | PostgreSQL | {batch} | {rate:,.0f} |")


if __name__ == "__main__":
    asyncio.run(main())
