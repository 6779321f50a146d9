"""Telling the author of an idea what the moderators decided, if they asked to hear back.

The bot reads the decisions after the last one it handled (`GET .../decisions?after=`), in
order; each notice goes through the courier under its own name (`idea:<id>:<status>`), so it is
sent once however often this runs. In the quiet hours it stops, and goes on at the next run.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.decisions import DecisionOut
from bot.api_client import ApiClient
from bot.contacts import Contacts
from bot.courier import Courier
from bot.models import Cursor
from dialogs.notices import idea_outcome

CURSOR = "decisions"
PAGE = 100


class IdeaNotices:
    def __init__(
        self,
        api: ApiClient,
        contacts: Contacts,
        courier: Courier,
        cursors: async_sessionmaker[AsyncSession],
    ) -> None:
        self._api = api
        self._contacts = contacts
        self._courier = courier
        self._cursors = cursors

    async def run_once(self) -> Counter[str]:
        told: Counter[str] = Counter()
        after = await self._position()
        while page := await self._api.decisions(after, PAGE):
            for decision in page:
                if self._courier.quiet_for() > 0:
                    told["left for the morning"] += 1
                    return told
                told[await self._tell(decision)] += 1
                after = decision.event
                await self._move_to(after)
        return told

    async def _tell(self, decision: DecisionOut) -> str:
        contact = await self._contacts.get(decision.author)  # asked, and no STOP since
        if contact is None:
            return "not asked"
        sender = self._courier.senders.get(contact.channel)
        if sender is None:
            return "no channel"
        name = f"idea:{decision.proposal_id}:{decision.status}"
        if contact.ref in await self._courier.done(name):
            return "already told"
        accepted = decision.status == "accepted"
        words = idea_outcome(contact.language, accepted, decision.text, decision.reason)
        await self._courier.wait_turn(contact.channel)
        text = sender.render(words, contact.language)
        return await self._courier.deliver(name, contact, sender, text, contact.language)

    async def _position(self) -> int:
        async with self._cursors() as db:
            cursor = await db.get(Cursor, CURSOR)
            return cursor.position if cursor else 0

    async def _move_to(self, position: int) -> None:
        async with self._cursors.begin() as db:
            cursor = await db.get(Cursor, CURSOR)
            if cursor is None:
                db.add(Cursor(name=CURSOR, position=position))
            else:
                cursor.position = position
