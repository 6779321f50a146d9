"""Telling the author of an idea what the moderators decided, if they asked to hear back.

The bot reads the decisions after the last one it handled (`GET .../decisions?after=`), in
order; each notice goes through the ledger under its own name (`idea:<id>:<status>`), so it is
sent once however often this runs. In the quiet hours, or asked to stop, it stops where it is
(the cursor not moved past a notice not sent), and goes on at the next run.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.decisions import DecisionOut
from bot.api_client import ApiClient
from bot.outreach.ledger import Ledger
from bot.outreach.whatsapp_sender import WhatsAppOutside, WhatsAppSender
from bot.records.contacts import Contacts
from bot.records.models import Cursor
from dialogs.idea_outcome import idea_outcome

CURSOR = "decisions"
PAGE = 100
LEFT = "left for the next run"


class IdeaNotices:
    def __init__(
        self,
        api: ApiClient,
        contacts: Contacts,
        ledger: Ledger,
        cursors: async_sessionmaker[AsyncSession],
        whatsapp: WhatsAppOutside | None = None,
    ) -> None:
        self._whatsapp = whatsapp  # free text in the window, a template outside it
        self._api = api
        self._contacts = contacts
        self._ledger = ledger
        self._cursors = cursors

    async def run_once(self) -> Counter[str]:
        told: Counter[str] = Counter()
        after = await self._position()
        while page := await self._api.decisions(after, PAGE):
            for decision in page:
                if self._ledger.stopping:
                    return told
                if self._ledger.quiet_for() > 0:
                    told["left for the morning"] += 1
                    return told
                outcome = await self._tell(decision)
                if self._ledger.stopping and outcome in (LEFT, "retry"):
                    told[LEFT] += 1  # nothing left: the next run tells them
                    return told
                told[outcome] += 1
                after = decision.event
                await self._move_to(after)
        return told

    async def _tell(self, decision: DecisionOut) -> str:
        contact = await self._contacts.get(decision.author)  # asked, and no STOP since
        if contact is None:
            return "not asked"
        sender = self._ledger.senders.get(contact.channel)
        if sender is None:
            return "no channel"
        name = f"idea:{decision.proposal_id}:{decision.status}"
        if contact.ref in await self._ledger.done(name):
            return "already told"
        accepted = decision.status == "accepted"
        words = idea_outcome(contact.language, accepted, decision.text, decision.reason)
        if not await self._ledger.wait_turn(contact.channel):
            return LEFT
        text = sender.render(words, contact.language)
        if isinstance(sender, WhatsAppSender):
            now = self._ledger.clock()
            found = (
                None
                if self._whatsapp is None
                else await self._whatsapp.message(sender, contact, words, now)
            )
            if found is None:
                return "no WhatsApp template"  # never free text outside the window
            text = found[0]
        return await self._ledger.deliver(name, contact, sender, text, contact.language)

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
