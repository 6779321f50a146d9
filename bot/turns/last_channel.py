"""A resident who writes by SMS and on WhatsApp (one number, one participant) hears back on
the channel they used last: each message on one of them moves their contact (if they asked to
hear back) to it. Broadcasts and idea notices follow the contact."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.records.contacts import Contacts
from bot.turns.identity import Pseudonyms
from channels.base import Handler, Inbound, Outcome

MESSAGING = frozenset({"sms", "whatsapp"})
FRESH = 60.0  # seconds this process trusts what it last wrote (other workers may write too)


class LastChannel:
    def __init__(
        self,
        turn: Handler,
        pseudonyms: Pseudonyms,
        contacts: Contacts,
        serves: Callable[[str, str], bool],
    ) -> None:
        self.turn = turn
        self.pseudonyms = pseudonyms
        self.contacts = contacts
        self.serves = serves  # a number we do not answer on that channel moves nothing
        self._written: dict[str, tuple[str, float]] = {}

    async def __call__(self, inbound: Inbound) -> Outcome:
        outcome = await self.turn(inbound)
        if inbound.channel in MESSAGING and self.serves(inbound.address, inbound.channel):
            ref = self.pseudonyms.ref(inbound.address)
            channel, at = self._written.get(ref, ("", 0.0))
            if channel != inbound.channel or time.monotonic() - at > FRESH:
                await self.contacts.follow(ref, inbound.channel, inbound.address)
                if len(self._written) > 100_000:
                    self._written.clear()
                self._written[ref] = (inbound.channel, time.monotonic())
        return outcome
