"""STOP, recorded by participant ref in the bot's own table, so it survives a restart."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.records.models import OptOut


class OptOuts:
    def __init__(self, tables: async_sessionmaker[AsyncSession]) -> None:
        self._tables = tables

    async def is_opted_out(self, ref: str) -> bool:
        async with self._tables() as db:
            return await db.get(OptOut, ref) is not None

    async def opt_out(self, ref: str) -> None:
        async with self._tables.begin() as db:
            if await db.get(OptOut, ref) is None:
                db.add(OptOut(ref=ref))

    async def opt_in(self, ref: str) -> None:
        async with self._tables.begin() as db:
            await db.execute(delete(OptOut).where(OptOut.ref == ref))

    async def count(self) -> int:
        async with self._tables() as db:
            return len((await db.scalars(select(OptOut.ref))).all())
