"""The simulator: staff talk to the dialog as a resident would, on the channel they choose,
and see what that resident would get, rendered by the channel's own code: the one SMS Twilio
would send (with its cost), Telegram's messages and buttons, what the phone says (each sentence
in its voice) and what it waits for, the kiosk's page. No Twilio, no Telegram.

Each conversation is a participant of its own (`sim:<random>`), marked simulated in the API
before its first message, so its ballots never reach the results.
"""

from __future__ import annotations

import html
import json
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from api.schemas import ProfileIn
from bot.web.pages import SignedIn, Web, moderators_only
from bot.web.render import Pages, check_csrf, read_history
from bot.web.sign_in import Staff
from channels import kiosk, sms, telegram, telegram_replies, voice, whatsapp
from channels.base import Inbound, Outcome
from channels.sms_cost import cost
from dialogs import Ask, Event, Opened, Text

router = APIRouter(
    prefix="/staff/simulator", include_in_schema=False, dependencies=[Depends(moderators_only)]
)
CHANNELS = (sms.CHANNEL, whatsapp.CHANNEL, "telegram", voice.CHANNEL, kiosk.CHANNEL)
TRANSCRIPT_LIMIT = 40  # exchanges kept on the page
HEX32 = r"^[0-9a-f]{32}$"


@router.get("")
async def simulator(request: Request, staff: SignedIn, web: Web, channel: str = "sms") -> Response:
    channel = channel if channel in CHANNELS else CHANNELS[0]
    return _page(request, web, staff, channel, uuid.uuid4().hex, [])


@router.post("")
async def send(
    request: Request,
    staff: SignedIn,
    web: Web,
    csrf: Annotated[str, Form()],
    conversation: Annotated[str, Form(pattern=HEX32)],
    channel: Annotated[str, Form()],
    message_id: Annotated[str, Form(pattern=HEX32)],
    transcript: Annotated[str, Form()] = "[]",
    text: Annotated[str, Form(max_length=1600)] = "",
    pressed: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    check_csrf(staff, csrf)
    channel = channel if channel in CHANNELS else CHANNELS[0]
    history = read_history(transcript)
    runtime = web.runtime
    address = f"sim:{conversation}"  # never a phone number: no real resident is reached
    if not history:
        ref = runtime.pseudonyms.ref(address)
        await runtime.api.set_profile(ref, ProfileIn(channel=channel, simulated=True))
    # The message id comes from the page, so posting the same form twice is one message.
    message = f"sim-{message_id}"
    value, _, label = pressed.partition("|")
    event = _event(channel, text, value, first=not history)
    spoken = channel == voice.CHANNEL  # as the phone line's own parse says
    outcome = await runtime.handle(Inbound(channel, message, address, event, spoken=spoken))
    said = label if value else text
    seen = _as_seen(web, channel, outcome, turn=len(history) + 1)
    history.append({"resident": said, **seen})
    return _page(request, web, staff, channel, conversation, history[-TRANSCRIPT_LIMIT:])


def _event(channel: str, text: str, pressed: str, first: bool) -> Event:
    if channel == voice.CHANNEL:
        # A call begins with the call itself; then keys ("1") or words, as recognised.
        return Opened() if first else Text(text)
    if pressed and channel == "telegram":
        return telegram.press(pressed)
    if pressed and channel == whatsapp.CHANNEL:
        return whatsapp.press(pressed)
    if channel == kiosk.CHANNEL:
        return kiosk.event(text, pressed)
    return Text(text)


def _as_seen(web: Pages, channel: str, outcome: Outcome, turn: int) -> dict[str, Any]:
    if channel == kiosk.CHANNEL:
        return {"replies": [asdict(b) for b in kiosk.bubbles(outcome)]}
    if channel == "telegram":
        return {"replies": [_telegram(m) for m in telegram_replies.messages(outcome.replies)]}
    if channel == whatsapp.CHANNEL:
        return {"replies": _whatsapp(outcome)}
    if channel == voice.CHANNEL:
        return _heard(web, outcome, turn)
    body = sms.message_body(outcome, web.settings.sms_plain_languages)
    if body is None:
        return {"replies": []}
    price = cost(body)
    return {"replies": [{"text": body}], "note": f"{price.encoding}, {price.segments} SMS"}


def _whatsapp(outcome: Outcome) -> list[dict[str, Any]]:
    """What WhatsApp shows: one message, its buttons (or list) under it when it has some."""
    if not outcome.replies:
        return []
    last = outcome.replies[-1]
    choice = whatsapp.choice_of(last, outcome.language) if isinstance(last, Ask) else None
    if choice is None:
        return [{"text": whatsapp.text_of(outcome.replies)}]
    message = whatsapp.with_buttons(outcome, "simulated", choice)[-1]
    assert message.variables is not None
    buttons = [
        {"value": message.variables[str(n)], "label": whatsapp.label(key, text), "language": None}
        for n, (key, text) in enumerate(choice.labels, 2)
    ]
    return [{"text": message.variables["1"].replace(whatsapp.ZWSP, ""), "buttons": buttons}]


def _telegram(message: telegram_replies.Message) -> dict[str, Any]:
    rows = getattr(message.markup, "inline_keyboard", ())
    buttons = [
        {"value": b.callback_data, "label": b.text, "language": None} for row in rows for b in row
    ]
    text = html.unescape(re.sub(r"<[^>]+>", "", message.html))  # Telegram's HTML, as read
    return {"text": text, "buttons": buttons}


def _heard(web: Pages, outcome: Outcome, turn: int) -> dict[str, Any]:
    """The TwiML the phone line would answer, as the caller hears it: each <Say> in its
    language and voice, then what the line waits for."""
    renderer = voice.VoiceRenderer(web.voices, "", web.default_language)
    root = ET.fromstring(renderer.render(outcome, turn))
    said = [
        {"text": say.text or "", "language": say.get("language"), "note": say.get("voice")}
        for say in root.iter("Say")
    ]
    waits = "hangup"
    if root.find("Record") is not None:
        waits = "record"
    elif root.find("Gather") is not None:
        waits = "gather"
    return {"replies": said, "waits": waits}


def _page(
    request: Request, web: Pages, staff: Staff, channel: str, conversation: str, history: list
) -> Response:
    fields = {
        "csrf": staff.csrf,
        "conversation": conversation,
        "channel": channel,
        "message_id": uuid.uuid4().hex,
        "transcript": json.dumps(history, ensure_ascii=False),
    }
    return web.render(
        request,
        "simulator.html",
        staff,
        channels=CHANNELS,
        channel=channel,
        history=history,
        fields=fields,
    )
