"""The commands that write to residents first: `parlons broadcast FILE [--dry-run]` and
`parlons notices [--every SECONDS]`, built from the settings, stopped cleanly by Ctrl-C."""

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
        loop = asyncio.get_running_loop()
        for stop_signal in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(stop_signal, job.stop)
        summary = await job.run()
        print(f"Done: {summary.line()}")


async def notices(settings: Settings, every: float | None) -> None:
    async with outreach(settings) as (parlons, contacts, courier):
        job = IdeaNotices(parlons.client, contacts, courier, courier.ledger)
        while True:
            told = await job.run_once()
            print("Idea notices:", ", ".join(f"{k} {n}" for k, n in sorted(told.items())) or "none")
            if every is None:
                return
            await asyncio.sleep(every)


def main_broadcast(settings: Settings, path: Path, dry_run: bool) -> None:
    asyncio.run(broadcast(settings, path, dry_run))


def main_notices(settings: Settings, every: float | None) -> None:
    try:
        asyncio.run(notices(settings, every))
    except KeyboardInterrupt:
        pass  # between two runs: nothing half done (each notice is claimed before it leaves)
