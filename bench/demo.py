"""The bundled demo consultation on a scratch SQLite file, for benchmarks that play it."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot import wiring
from bot.settings import DEMO_CONSULTATION, Settings


@asynccontextmanager
async def demo_parlons() -> AsyncIterator[wiring.Parlons]:
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{scratch}/bench.db",
            consultation=DEMO_CONSULTATION,
        )
        parlons = wiring.build(settings)
        await parlons.start()
        try:
            yield parlons
        finally:
            await parlons.stop()
