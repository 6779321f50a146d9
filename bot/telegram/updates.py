"""Telegram on the runtime: one update in, the turn taken, the replies sent through
python-telegram-bot's `Bot` (rate-limited, its base URL from the settings).

Updates come from the webhook or, for local use without a public URL, from polling. A
deep link's payload is read here: a centre to credit, a mediator link, or a language.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import replace

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ExtBot

from api.schemas import ProfileIn
from bot.records.centres import Centres
from bot.telegram.tablet import Tablet
from bot.turns.runtime import Runtime
from channels.telegram import Arrival, GroupChat, parse
from channels.telegram_replies import answer_press, plain, send, send_messages
from dialogs.i18n import translator

log = logging.getLogger(__name__)

# What the bot asks Telegram for, by webhook or by polling.
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
POLL_SECONDS = 25


class TelegramUpdates:
    """Takes each update to the runtime (or to a mediator's tablet) and sends the answer."""

    def __init__(self, bot: ExtBot, runtime: Runtime, centres: Centres, tablet: Tablet) -> None:
        self.bot = bot
        self.runtime = runtime
        self.centres = centres
        self.tablet = tablet
        self._polling: asyncio.Task[None] | None = None

    async def __call__(self, update: Update) -> None:
        parsed = parse(update)
        if isinstance(parsed, GroupChat):
            t = translator(self._language(parsed.hint))
            line = t.gettext("I only talk in private chats. Open a chat with me to take part.")
            await send_messages(self.bot, parsed.chat_id, [plain(line)])
        elif isinstance(parsed, Arrival):
            await self._arrival(parsed)

    async def _arrival(self, arrival: Arrival) -> None:
        arrival = await self.tablet.route(arrival)
        if arrival is None:
            return  # a mediator's own business: the tablet answered
        if arrival.start is not None:
            arrival = await self._follow_link(arrival)
        outcome = await self.runtime.handle(arrival.inbound)
        if arrival.blocked:
            return  # Telegram refuses messages to a user who blocked the bot
        if arrival.pressed is not None:
            await answer_press(self.bot, arrival.chat_id, arrival.pressed, outcome)
        await send(self.bot, arrival.chat_id, outcome)
        await self.tablet.after(arrival, outcome)

    async def _follow_link(self, arrival: Arrival) -> Arrival:
        """`/start <payload>`: a language code presets the language; a centre's code credits
        the centre. Anything else (unknown, revoked, malformed) is a plain start."""
        payload = arrival.start or ""
        if payload in self.runtime.consultation.languages:
            event = replace(arrival.inbound.event, hint=payload)
            return replace(arrival, inbound=replace(arrival.inbound, event=event))
        ref = self.runtime.pseudonyms.ref(arrival.inbound.address)
        centre = await self.centres.credit(payload, ref)
        if centre is not None:
            profile = ProfileIn(channel=arrival.inbound.channel, centre=centre)
            await self.runtime.api.set_profile(ref, profile)
        return arrival

    def _language(self, hint: str | None) -> str:
        c = self.runtime.consultation
        return hint if hint in c.languages else c.default_language

    # --- polling, for local use without a public URL --------------------------------------

    def start_polling(self) -> None:
        self._polling = asyncio.create_task(self._poll(), name="telegram-polling")

    async def stop(self) -> None:
        if self._polling is not None:
            self._polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._polling
        await self.bot.shutdown()

    async def _poll(self) -> None:
        await self.bot.delete_webhook()  # Telegram refuses getUpdates while a webhook is set
        log.info("Telegram: polling for updates")
        offset: int | None = None
        while True:
            try:
                updates = await self.bot.get_updates(
                    offset=offset, timeout=POLL_SECONDS, allowed_updates=ALLOWED_UPDATES
                )
            except TelegramError as error:  # the network, or Telegram asking us to slow down
                log.warning("Telegram polling: %s; trying again", error)
                await asyncio.sleep(1)
                continue
            for update in updates:
                offset = update.update_id + 1
                try:
                    await self(update)
                except Exception:  # one bad update must not stop the polling
                    log.exception("Telegram update %d not answered", update.update_id)
