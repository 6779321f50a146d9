"""`parlons worker`: post the outbox to the API until SIGTERM or Ctrl-C (Redis mode)."""

from __future__ import annotations

import argparse
import asyncio
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from api.loader import read_consultation
from api.state import start
from bot import wiring
from bot.outbox.worker import OutboxWorker
from bot.settings import Settings


def add_parser(commands: argparse._SubParsersAction) -> None:
    work = commands.add_parser("worker", help="post the outbox to the API (Redis mode)")
    work.add_argument("--batch", type=int, default=None, help="ballots per post (max 500)")
    work.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> None:
    asyncio.run(work(settings, args.batch or settings.outbox_batch))


@asynccontextmanager
async def outbox_worker(settings: Settings, **options: Any) -> AsyncIterator[OutboxWorker]:
    """A worker with its own connections, to the API apart or to the database."""
    redis = wiring.require_redis(settings)
    spec = read_consultation(settings.consultation)
    api_state, client, engine = wiring.api_side(settings, spec.slug)
    try:
        if api_state is not None:  # the API in this process: its tables must be there
            await start(api_state, spec)
        worker = OutboxWorker(redis, client, settings.redis_prefix, **options)
        try:
            yield worker
        finally:
            await worker.release()
    finally:
        await client.aclose()
        await engine.dispose()
        await redis.aclose()


async def work(settings: Settings, batch: int) -> None:
    """Post until SIGTERM or Ctrl-C; the entry being posted is finished first."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    lease = settings.outbox_lease_seconds
    async with outbox_worker(settings, batch=batch, lease_seconds=lease) as worker:
        await worker.run(stop)
