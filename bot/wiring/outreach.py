"""What `parlons broadcast` and `parlons notices` run on: the parts built by the wiring, a
sender for each channel whose credentials are set, and the send-once ledger that stops on a
signal."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from bot.outreach.ledger import Ledger, QuietHours
from bot.outreach.senders import CallSender, Sender, SmsSender, TelegramSender
from bot.outreach.twilio_rest import HttpxTwilioClient, twilio_client
from bot.outreach.whatsapp_sender import WhatsAppSender
from bot.records.contacts import Contacts
from bot.settings import Settings, secret
from bot.wiring import Parlons, build


async def open_senders(parlons: Parlons, stack: AsyncExitStack) -> dict[str, Sender]:
    """A sender for each channel whose credentials are set; closed with the stack."""
    settings = parlons.settings
    senders: dict[str, Sender] = {}
    token = secret(settings.twilio_auth_token)
    if settings.twilio_account_sid and token:
        twilio = twilio_client(settings.twilio_account_sid, token, settings.twilio_api_url)
        http = twilio.http_client
        assert isinstance(http, HttpxTwilioClient)
        stack.push_async_callback(http.aclose)
        if settings.twilio_messaging_service_sid:
            plain = settings.sms_plain_languages
            senders["sms"] = SmsSender(twilio, settings.twilio_messaging_service_sid, plain)
        if settings.twilio_caller_id:
            senders["voice"] = CallSender(twilio, settings.twilio_caller_id, parlons.voices)
        if settings.twilio_whatsapp_from or settings.twilio_messaging_service_sid:
            senders["whatsapp"] = WhatsAppSender(
                twilio, settings.twilio_whatsapp_from, settings.twilio_messaging_service_sid
            )
    if parlons.telegram_bot is not None:  # the Telegram channel's own, rate limiter too
        senders["telegram"] = TelegramSender(await stack.enter_async_context(parlons.telegram_bot))
    return senders


@asynccontextmanager
async def outreach(settings: Settings) -> AsyncIterator[tuple[Parlons, Contacts, Ledger]]:
    """What `parlons broadcast` and `parlons notices` run on, started and stopped with them.
    SIGINT (Ctrl-C) and SIGTERM stop the ledger: every wait ends at once, the message in hand
    is finished, the rest is left for the next run, and the command ends with status 0."""
    parlons = build(settings)
    await parlons.start()
    async with AsyncExitStack() as stack:
        stack.push_async_callback(parlons.stop)
        contacts = parlons.runtime.contacts
        assert contacts is not None
        sent = Ledger(
            parlons.tables,
            await open_senders(parlons, stack),
            settings.public_url,
            quiet=QuietHours.parse(settings.quiet_hours, parlons.runtime.consultation.timezone),
            rates=settings.send_rates,
            retries=settings.send_retries,
            progress=sys.stderr,
        )
        loop = asyncio.get_running_loop()
        for stop_signal in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(stop_signal, sent.stop)
            stack.callback(loop.remove_signal_handler, stop_signal)
        yield parlons, contacts, sent
