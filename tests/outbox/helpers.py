"""What the outbox tests, and the tests that drain the outbox on their way, share."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable

from fastapi.testclient import TestClient

from bot.commands import outbox, worker
from bot.outbox.worker import OutboxWorker
from bot.settings import Settings
from tests.conftest import results

FOOD_AID = "Il faut renforcer l'aide alimentaire dans chaque quartier."
NIGHT_BUSES = "Il faut des bus la nuit le week-end."


def drain(settings: Settings, prepare: Callable[[OutboxWorker], None] | None = None) -> int:
    """Run `parlons worker` until the outbox is empty; the entries it posted."""

    async def go() -> int:
        async with worker.outbox_worker(settings) as posting:
            if prepare:
                prepare(posting)
            posted = 0
            while done := await posting.step(block=False):
                posted += done
            return posted

    return asyncio.run(go())


def status(settings: Settings) -> str:
    out = io.StringIO()
    asyncio.run(outbox.outbox(settings, "status", [], out))
    return out.getvalue()


def votes(client: TestClient) -> dict[str, tuple[int, int]]:
    return {text: (p["agree"], p["disagree"]) for text, p in results(client).items() if p["votes"]}
