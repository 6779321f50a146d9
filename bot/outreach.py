"""The commands that write to residents first: `parlons broadcast FILE [--dry-run]` and
`parlons notices [--every SECONDS]`, built from the settings. SIGINT (Ctrl-C) and SIGTERM stop
them cleanly, at once even mid-wait: the message in hand is finished, the rest is left for the
next run, and the command ends with status 0."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from api import db
from bot import services
from bot.broadcast import Broadcast, read_broadcast
from bot.contacts import Contacts
from bot.courier import Courier, QuietHours
from bot.notices import IdeaNotices
from bot.outbound import CallSender, Sender, SmsSender, TelegramSender
from bot.settings import Settings, secret
from bot.telegram_bot import make_bot
from bot.twilio_http import HttpxTwilioClient, twilio_client
from channels.voices import Voices

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


async def open_senders(
    settings: Settings, voices: Voices, stack: AsyncExitStack
) -> dict[str, Sender]:
    """A sender for each channel whose credentials are set; closed with the stack."""
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
            senders["voice"] = CallSender(twilio, settings.twilio_caller_id, voices)
    if (bot := make_bot(settings)) is not None:  # as the Telegram channel's, rate limiter too
        senders["telegram"] = TelegramSender(await stack.enter_async_context(bot))
    return senders


@asynccontextmanager
async def outreach(
    settings: Settings,
) -> AsyncIterator[tuple[services.Services, Contacts, Courier]]:
    parlons = services.build(settings)
    await parlons.start()
    async with AsyncExitStack() as stack:
        stack.push_async_callback(parlons.stop)
        contacts = parlons.runtime.contacts
        assert contacts is not None
        spec = parlons.consultation  # the phone line's voices: the file's `voice:` block
        voices = Voices(spec.languages, spec.details().get("voice"))
        courier = Courier(
            db.sessionmaker(parlons.engine),
            await open_senders(settings, voices, stack),
            settings.public_url,
            quiet=QuietHours.parse(settings.quiet_hours, parlons.runtime.consultation.timezone),
            rates=settings.send_rates,
            retries=settings.send_retries,
            progress=sys.stderr,
        )
        loop = asyncio.get_running_loop()
        for stop_signal in STOP_SIGNALS:
            loop.add_signal_handler(stop_signal, courier.stop)
            stack.callback(loop.remove_signal_handler, stop_signal)
        yield parlons, contacts, courier


async def broadcast(settings: Settings, path: Path, dry_run: bool) -> None:
    spec = read_broadcast(path)
    async with outreach(settings) as (parlons, contacts, courier):
        default = parlons.runtime.consultation.default_language
        job = Broadcast(spec, contacts, courier, default, parlons.runtime.questions)
        plan = await job.plan()
        print(f'Broadcast "{spec.name}"\n{plan.table()}')
        if dry_run:
            return
        summary = await job.run()
        print(f"Done: {summary.line()}")


async def notices(settings: Settings, every: float | None) -> None:
    async with outreach(settings) as (parlons, contacts, courier):
        job = IdeaNotices(parlons.client, contacts, courier, courier.ledger)
        while True:
            told = await job.run_once()
            said = ", ".join(f"{k} {n}" for k, n in sorted(told.items())) or "none"
            print("Idea notices:", said, flush=True)  # a log line now, not when it ends
            if every is None or not await courier.pause(every):
                return


def main_broadcast(settings: Settings, path: Path, dry_run: bool) -> None:
    asyncio.run(broadcast(settings, path, dry_run))


def main_notices(settings: Settings, every: float | None) -> None:
    try:
        asyncio.run(notices(settings, every))
    except KeyboardInterrupt:
        pass  # Ctrl-C while starting, before the handlers: nothing was sent yet
