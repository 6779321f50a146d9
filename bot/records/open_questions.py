"""Evaluation questions a broadcast asked, waiting for the resident's next message.

The broadcast runs apart from the webhooks, so the question waits in the bot's own table, not
in the session. Reading it costs a query only for a resident who has not written since the
latest question was asked: the time of that latest question is cached for `latest_for`
seconds, so an answer sent within those seconds of the broadcast's first question may be read
as an ordinary message.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.records.models import OpenQuestion


class OpenQuestions:
    def __init__(
        self, tables: async_sessionmaker[AsyncSession], latest_for: float = 10.0
    ) -> None:
        self._tables = tables
        self._latest_for = latest_for
        self._latest: tuple[float, float] | None = None  # (read at, latest opening)

    async def ask(self, ref: str, question: str, language: str, at: datetime) -> None:
        async with self._tables.begin() as db:
            await db.merge(
                OpenQuestion(ref=ref, question=question, language=language, opened_at=at)
            )

    async def take(self, ref: str, last_seen: int) -> tuple[str, str] | None:
        """The question waiting for this resident and its language, removed: asked once."""
        if last_seen and last_seen > await self._latest_opening():
            return None  # they wrote after every question was asked
        async with self._tables.begin() as db:
            row = await db.get(OpenQuestion, ref)
            if row is None:
                return None
            await db.execute(delete(OpenQuestion).where(OpenQuestion.ref == ref))
            return row.question, row.language

    async def _latest_opening(self) -> float:
        now = time.monotonic()
        if self._latest is None or now - self._latest[0] >= self._latest_for:
            async with self._tables() as db:
                latest = await db.scalar(select(func.max(OpenQuestion.opened_at)))
            if latest is not None and latest.tzinfo is None:
                latest = latest.replace(tzinfo=UTC)  # SQLite keeps no zone; we write UTC
            self._latest = (now, latest.timestamp() if latest else 0.0)
        return self._latest[1]
