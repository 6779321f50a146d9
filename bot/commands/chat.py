"""`parlons chat`: be a resident texting the consultation, in a terminal, without Twilio.

Each line typed is handled as an inbound SMS (the SMS channel's own parsing and rendering),
and under each reply its encoding and the SMS segments it would cost.
"""

from __future__ import annotations

import sys
import tempfile
import uuid
from typing import TextIO

from bot import services, voice_chat
from bot.settings import Settings
from channels import sms, voice
from channels.sms_cost import cost

SIMULATED_NUMBER = "+33639989999"  # ARCEP keeps +33 6 39 98 for fiction: no resident


async def chat(
    settings: Settings, keep: bool, lines: TextIO, out: TextIO, channel: str = sms.CHANNEL
) -> None:
    with tempfile.TemporaryDirectory(prefix="parlons-chat-") as scratch:
        if not keep:
            # A practice run never mixes its votes with the consultation's real ones.
            settings.database_url = f"sqlite+aiosqlite:///{scratch}/chat.db"
            settings.redis_url = None  # nor through the outbox
        parlons = services.build(settings)
        await parlons.start()
        try:
            converse = voice_chat.converse if channel == voice.CHANNEL else _converse
            await converse(parlons, lines, out)
        finally:
            await parlons.stop()


async def _converse(parlons: services.Services, lines: TextIO, out: TextIO) -> None:
    interactive = lines.isatty()
    out.write("You are a resident texting the consultation. Ctrl-D to leave.\n")
    replies = segments = 0
    while True:
        if interactive:
            out.write("> ")
            out.flush()
        line = lines.readline()
        if not line:
            break
        text = line.rstrip("\n")
        if not interactive:
            out.write(f"> {text}\n")
        form = {"MessageSid": f"SM{uuid.uuid4().hex}", "From": SIMULATED_NUMBER, "Body": text}
        outcome = await parlons.runtime.handle(sms.parse(form))
        body = sms.message_body(outcome, parlons.settings.sms_plain_languages)
        if body is None:
            out.write("   (no reply)\n")
            continue
        price = cost(body)
        replies += 1
        segments += price.segments
        out.write(f"{body}\n   [{price.encoding}, {price.units} units, {price.segments} SMS]\n")
    out.write(f"{replies} replies, {segments} SMS segments in all.\n")


def main(settings: Settings, keep: bool, channel: str = sms.CHANNEL) -> None:
    import asyncio

    asyncio.run(chat(settings, keep, sys.stdin, sys.stdout, channel))
