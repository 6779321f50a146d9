"""`parlons worker` and `parlons outbox`: drain the outbox, and look into it."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from api import db
from api.app import MIGRATIONS as API_MIGRATIONS
from api.loader import read_consultation
from bot import services
from bot.drainer import Drainer
from bot.outbox import Outbox
from bot.settings import Settings


def _redis(settings: Settings):  # noqa: ANN202
    redis = services.connect_redis(settings)
    if redis is None:
        sys.exit("parlons: PARLONS_REDIS_URL is not set: there is no outbox (embedded mode)")
    return redis


@asynccontextmanager
async def drainer(settings: Settings, **options: Any) -> AsyncIterator[Drainer]:
    """A drainer with its own connections, to the API apart or to the database."""
    redis = _redis(settings)
    spec = read_consultation(settings.consultation)
    api_state, client, engine = services.api_side(settings, spec.slug)
    try:
        if api_state is not None:  # the API in this process: its tables must be there
            async with db.exclusive_start(engine):
                await db.upgrade(engine, API_MIGRATIONS)
                await api_state.service.load(spec)
        drainer = Drainer(redis, client, settings.redis_prefix, **options)
        try:
            yield drainer
        finally:
            await drainer.release()
    finally:
        await client.aclose()
        await engine.dispose()
        await redis.aclose()


async def work(settings: Settings, batch: int) -> None:
    """Drain until SIGTERM or Ctrl-C; the entry being posted is finished first."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with drainer(settings, batch=batch, lease_seconds=settings.outbox_lease_seconds) as d:
        await d.run(stop)


async def outbox(settings: Settings, action: str, ids: list[str], out=sys.stdout) -> None:  # noqa: ANN001
    redis = _redis(settings)
    box = Outbox(redis, settings.redis_prefix)
    try:
        if action == "status":
            s = await box.status()
            out.write(f"waiting {s.waiting}\npending {s.pending}\ndead    {s.dead}\n")
            out.write(f"workers {', '.join(s.workers) or '-'}\n")
        elif action == "dead":
            letters = await box.dead_letters()
            for d in letters:
                out.write(f"{d.id}  {d.failed_at}  {d.kind} x{d.entries}  {d.error}\n")
            out.write(f"{len(letters)} dead letters\n")
        elif action == "retry":
            moved = await box.retry(ids or None)
            out.write(f"{moved} dead letters put back in the outbox\n")
    finally:
        await redis.aclose()
