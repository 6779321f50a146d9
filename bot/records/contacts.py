"""The addresses of residents who asked to hear back, encrypted at rest, by participant ref.

Only a resident who answered yes has one. The address (`tel:+33...`, `telegram:123`) is a
Fernet token under `PARLONS_CONTACT_KEY`: a copied database names no one without the key.
STOP suspends (the opt-outs table, checked before every message), START restores, ERASE or
"no" removes.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from cryptography.fernet import Fernet
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.records.models import Contact, OptOut


@dataclass(frozen=True, slots=True)
class Reachable:
    """A resident we may write to, decrypted for the moment of sending only."""

    ref: str
    channel: str
    address: str
    language: str


def fernet(secret: str) -> Fernet:
    """Fernet wants 32 random bytes; any long secret is stretched to that by SHA-256."""
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest()))


class Contacts:
    def __init__(self, tables: async_sessionmaker[AsyncSession], secret: str) -> None:
        self._tables = tables
        self._fernet = fernet(secret)

    async def keep(self, ref: str, channel: str, address: str, language: str) -> None:
        """Yes: keep (or update) how to reach them; the last channel they said yes on wins."""
        token = self._fernet.encrypt(address.encode())
        async with self._tables.begin() as db:
            row = await db.get(Contact, ref)
            if row is None:
                db.add(Contact(ref=ref, channel=channel, address=token, language=language))
            else:
                row.channel, row.address, row.language = channel, token, language

    async def follow(self, ref: str, channel: str, address: str) -> None:
        """The resident wrote on `channel` (SMS or WhatsApp): news goes there from now on, if
        they asked for it on one of those two (a caller keeps their call)."""
        token = self._fernet.encrypt(address.encode())
        async with self._tables.begin() as db:
            await db.execute(
                update(Contact)
                .where(Contact.ref == ref, Contact.channel.in_(("sms", "whatsapp")))
                .where(Contact.channel != channel)
                .values(channel=channel, address=token)
            )

    async def relabel(self, ref: str, language: str) -> None:
        """A new language chosen from the menu: news will come in it (nothing if not kept)."""
        async with self._tables.begin() as db:
            await db.execute(update(Contact).where(Contact.ref == ref).values(language=language))

    async def forget(self, ref: str) -> None:
        async with self._tables.begin() as db:
            await db.execute(delete(Contact).where(Contact.ref == ref))

    async def get(self, ref: str) -> Reachable | None:
        """Their contact, unless they said STOP since (or never said yes)."""
        async with self._tables() as db:
            row = await db.get(Contact, ref)
            if row is None or await db.get(OptOut, ref) is not None:
                return None
            return self._open(row)

    async def reachable(self) -> AsyncIterator[Reachable]:
        """Everyone who said yes and has not said STOP, in a stable order."""
        stopped = select(OptOut.ref)
        query = select(Contact).where(Contact.ref.not_in(stopped)).order_by(Contact.ref)
        async with self._tables() as db:
            for row in (await db.scalars(query)).all():
                yield self._open(row)

    def _open(self, row: Contact) -> Reachable:
        address = self._fernet.decrypt(row.address).decode()
        return Reachable(row.ref, row.channel, address, row.language)
