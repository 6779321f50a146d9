"""`parlons chat`: be a resident in a terminal, without Twilio: texting the consultation (the
SMS channel's own parsing and rendering, and under each reply its encoding and the SMS segments
it would cost), or calling it (`--channel voice`: the voice channel's own parsing and TwiML,
what Twilio would say printed with the voice that would say it; type digits for the keypad or
words for what speech recognition would hear, an empty line is silence, Ctrl-D hangs up).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import uuid
import xml.etree.ElementTree as ET
from typing import TextIO

from bot import wiring
from bot.settings import Settings
from channels import sms, voice, whatsapp
from channels.base import Inbound
from channels.sms_cost import cost
from dialogs import Ask, Media, Text

SIMULATED_NUMBER = "+33639989999"  # ARCEP keeps +33 6 39 98 for fiction: no resident
SIMULATED_CALLER = "+33639989998"
TYPED_RECORDING = "https://recording.invalid/typed-in-parlons-chat"


def add_parser(commands: argparse._SubParsersAction) -> None:
    chat = commands.add_parser("chat", help="text the consultation from this terminal")
    chat.add_argument(
        "--keep",
        action="store_true",
        help="record the votes in the configured database (default: a throwaway one)",
    )
    chat.add_argument(
        "--channel",
        choices=["sms", "voice", "whatsapp"],
        default="sms",
        help="voice: a phone call (prints what would be said; type digits or words); whatsapp: "
        "what WhatsApp shows, buttons included (type a button's number in brackets, [2], to "
        "tap it; /voice 20 sends a 20-second voice message, /photo a picture)",
    )
    chat.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> None:
    logging.getLogger().setLevel(logging.WARNING)  # the conversation, not the logs
    asyncio.run(chat(settings, args.keep, sys.stdin, sys.stdout, args.channel))


async def chat(
    settings: Settings, keep: bool, lines: TextIO, out: TextIO, channel: str = sms.CHANNEL
) -> None:
    with tempfile.TemporaryDirectory(prefix="parlons-chat-") as scratch:
        if not keep:
            # A practice run never mixes its votes with the consultation's real ones.
            settings.database_url = f"sqlite+aiosqlite:///{scratch}/chat.db"
            settings.redis_url = None  # nor through the outbox
        parlons = wiring.build(settings)
        await parlons.start()
        try:
            converse = {voice.CHANNEL: _call, whatsapp.CHANNEL: _whatsapp}.get(channel, _converse)
            await converse(parlons, lines, out)
        finally:
            await parlons.stop()


async def _converse(parlons: wiring.Parlons, lines: TextIO, out: TextIO) -> None:
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


async def _call(parlons: wiring.Parlons, lines: TextIO, out: TextIO) -> None:
    default_language = parlons.consultation.default_language
    renderer = voice.VoiceRenderer(parlons.voices, parlons.settings.public_url, default_language)
    call = {"CallSid": f"CA{uuid.uuid4().hex}", "From": SIMULATED_CALLER}
    interactive = lines.isatty()
    out.write(
        "You are calling the consultation. Digits are keys, words are speech. Ctrl-D hangs up.\n"
    )
    turn = 0
    inbound = voice.parse(call, "call")
    while True:
        twiml = ET.fromstring(renderer.render(await parlons.runtime.handle(inbound), turn + 1))
        for say in twiml.iter("Say"):
            out.write(f"  [{say.get('voice')}] {say.text}\n")
        if twiml.find("Hangup") is not None or not len(twiml):
            out.write("  (the line hangs up)\n")
            break
        recording = twiml.find("Record") is not None
        out.write("  (after the beep, say your idea)\n" if recording else "")
        if interactive:
            out.write("> ")
            out.flush()
        line = lines.readline()
        if not line:
            out.write("  (you hang up)\n")
            break
        said = line.strip()
        if not interactive:
            out.write(f"> {said}\n")
        turn += 1
        inbound = voice.parse({**call, **_answer(said, recording)}, str(turn))
    await parlons.runtime.handle(voice.parse(call, "end"))


def _answer(said: str, recording: bool) -> dict[str, str]:
    """The fields Twilio would post for what was typed."""
    if not said:
        return {}
    if recording:
        return {"RecordingUrl": TYPED_RECORDING, "Digits": "#"}
    if said.isdigit() or said in ("#", "*"):
        return {"Digits": said}
    return {"SpeechResult": said, "Confidence": "0.9"}


async def _whatsapp(parlons: wiring.Parlons, lines: TextIO, out: TextIO) -> None:
    """What WhatsApp shows: each message's text and, under it, its buttons (or its list)."""
    interactive = lines.isatty()
    out.write(
        "You are a resident on WhatsApp. [2] taps the second button, /voice 20 sends a "
        "20-second voice message, /photo a picture. Ctrl-D to leave.\n"
    )
    address = f"tel:{SIMULATED_NUMBER}"
    shown: list[str] = []  # the payloads of the buttons on screen
    while True:
        if interactive:
            out.write("> ")
            out.flush()
        line = lines.readline()
        if not line:
            break
        typed = line.rstrip("\n")
        if not interactive:
            out.write(f"> {typed}\n")
        event = _whatsapp_event(typed, shown)
        inbound = Inbound(whatsapp.CHANNEL, f"SM{uuid.uuid4().hex}", address, event)
        outcome = await parlons.runtime.handle(inbound)
        if not outcome.replies:
            out.write("   (no reply)\n")
            continue
        last = outcome.replies[-1]
        choice = whatsapp.choice_of(last, outcome.language) if isinstance(last, Ask) else None
        if isinstance(last, Ask) and choice is not None:
            [message] = whatsapp.with_buttons(outcome, "(content)", choice)[-1:]
            assert message.variables is not None
            out.write(f"{message.variables['1']}\n")
            labels = [whatsapp.label(key, text) for key, text in choice.labels]
            shown = [message.variables[str(n)] for n in range(2, len(labels) + 2)]
            kind = "list" if choice.kind == whatsapp.LIST_PICKER else "buttons"
            out.write(f"   {kind}: " + "  ".join(f"[{label}]" for label in labels) + "\n")
        else:
            shown = []
            out.write(f"{whatsapp.text_of(outcome.replies)}\n")


def _whatsapp_event(typed: str, shown: list[str]) -> Text | Media:
    if typed.startswith("[") and typed.endswith("]") and typed[1:-1].isdigit():
        n = int(typed[1:-1])
        if 1 <= n <= len(shown):
            return whatsapp.press(shown[n - 1])
    if typed.startswith("/voice"):
        seconds = float(typed.removeprefix("/voice").strip() or 10)
        return Text("", audio=TYPED_RECORDING, audio_seconds=seconds)
    if typed == "/photo":
        return Media(voice_notes=True)
    return Text(typed)
