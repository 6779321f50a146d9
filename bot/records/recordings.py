"""Recordings of residents kept at Twilio (a phone idea, a WhatsApp voice note), by ref: so
that ERASE and `parlons purge` delete them where they live (bot/outreach/twilio_rest.py)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.records.models import Recording


class KeptRecordings:
    def __init__(self, tables: async_sessionmaker[AsyncSession]) -> None:
        self._tables = tables

    async def keep(self, ref: str, url: str) -> None:
        async with self._tables.begin() as db:
            if await db.get(Recording, url) is None:
                db.add(Recording(url=url, ref=ref))

    async def of(self, ref: str | None = None) -> list[str]:
        """A resident's recordings, or everyone's."""
        query = select(Recording.url).order_by(Recording.url)
        if ref is not None:
            query = query.where(Recording.ref == ref)
        async with self._tables() as db:
            return list((await db.scalars(query)).all())

    async def drop(self, urls: list[str]) -> None:
        """Deleted at Twilio: no longer kept."""
        if urls:
            async with self._tables.begin() as db:
                await db.execute(delete(Recording).where(Recording.url.in_(urls)))
