"""What the bot keeps for WhatsApp: each address's customer-service window, and the Content
API resources (buttons and lists) `parlons whatsapp-content` created or found."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.records.models import WhatsAppContent, WhatsAppWindow

WINDOW = timedelta(hours=24)  # after the resident's last WhatsApp message
# A message sent at the window's last minute may reach WhatsApp after it: we stop earlier.
MARGIN = timedelta(minutes=10)
WRITE_EVERY = 300.0  # seconds: a resident's window is written at most this often per process
REMEMBERED = 100_000  # windows this process remembers writing before it starts afresh


class WhatsAppWindows:
    """The window of each WhatsApp address, by the participant's ref. Written as a resident's
    messages arrive, at most every WRITE_EVERY seconds per process: the moment kept may be
    that much older than the last message, so the window is thought to close earlier than it
    does (a template sent where free text would have gone), never later."""

    def __init__(self, tables: async_sessionmaker[AsyncSession]) -> None:
        self._tables = tables
        self._written: dict[str, float] = {}

    async def opened(self, ref: str, at: datetime) -> None:
        now = time.monotonic()
        if now - self._written.get(ref, -WRITE_EVERY) < WRITE_EVERY:
            return
        if len(self._written) > REMEMBERED:
            self._written.clear()
        async with self._tables.begin() as db:
            row = await db.get(WhatsAppWindow, ref)
            if row is None:
                db.add(WhatsAppWindow(ref=ref, last_message_at=at))
            else:
                row.last_message_at = at
        self._written[ref] = now

    async def is_open(self, ref: str, now: datetime) -> bool:
        """Whether a free-form message may go to this resident on WhatsApp now."""
        async with self._tables() as db:
            row = await db.get(WhatsAppWindow, ref)
        if row is None:
            return False
        last = row.last_message_at
        last = last if last.tzinfo else last.replace(tzinfo=UTC)  # SQLite keeps no zone
        return now < last + WINDOW - MARGIN

    async def forget(self, ref: str) -> None:
        self._written.pop(ref, None)
        async with self._tables.begin() as db:
            await db.execute(delete(WhatsAppWindow).where(WhatsAppWindow.ref == ref))


class WhatsAppContents:
    """Content SIDs by friendly name, read once and again when one is missing (the command
    may have created it since), at most every `every` seconds."""

    def __init__(self, tables: async_sessionmaker[AsyncSession], every: float = 60.0) -> None:
        self._tables = tables
        self._every = every
        self._sids: dict[str, str] = {}
        self._read_at = -every

    async def sid(self, name: str) -> str | None:
        if name not in self._sids and time.monotonic() - self._read_at >= self._every:
            await self.read()
        return self._sids.get(name)

    async def read(self) -> dict[str, str]:
        async with self._tables() as db:
            rows = (await db.scalars(select(WhatsAppContent))).all()
        self._sids = {row.name: row.sid for row in rows}
        self._read_at = time.monotonic()
        return dict(self._sids)

    async def keep(self, name: str, sid: str, language: str) -> None:
        async with self._tables.begin() as db:
            row = await db.get(WhatsAppContent, name)
            if row is None:
                db.add(WhatsAppContent(name=name, sid=sid, language=language))
            else:
                row.sid = sid
        self._sids[name] = sid
