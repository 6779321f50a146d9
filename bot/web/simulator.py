"""The simulator: staff talk to the dialog as a resident would, on the channel they choose,
and see exactly what that resident would get, without Twilio or Telegram.

Each conversation is a participant of its own (`sim:<random>`), marked simulated in the API
before its first message, so its ballots never reach the results.
"""

from __future__ import annotations

import json
import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from api.schemas import ProfileIn
from bot.web.pages import SignedIn, Web
from bot.web.render import check_csrf
from channels import sms
from channels.base import Inbound, Outcome
from channels.sms_cost import cost
from dialogs import Text

router = APIRouter(prefix="/staff/simulator", include_in_schema=False)
CHANNELS = ("sms",)
TRANSCRIPT_LIMIT = 60  # exchanges kept on the page


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
    conversation: Annotated[str, Form(pattern=r"^[0-9a-f]{32}$")],
    channel: Annotated[str, Form()],
    message_id: Annotated[str, Form(pattern=r"^[0-9a-f]{32}$")],
    transcript: Annotated[str, Form()] = "[]",
    text: Annotated[str, Form(max_length=1600)] = "",
) -> Response:
    check_csrf(staff, csrf)
    channel = channel if channel in CHANNELS else CHANNELS[0]
    history = _transcript(transcript)
    runtime = web.parlons.runtime
    address = f"sim:{conversation}"  # never a phone number: no real resident is reached
    if not history:
        ref = runtime.pseudonyms.ref(address)
        await runtime.api.set_profile(ref, ProfileIn(channel=channel, simulated=True))
    # The message id comes from the page, so posting the same form twice is one message.
    outcome = await runtime.handle(Inbound(channel, f"sim-{message_id}", address, Text(text)))
    history.append({"resident": text, **_as_seen(web, channel, outcome)})
    return _page(request, web, staff, channel, conversation, history[-TRANSCRIPT_LIMIT:])


def _as_seen(web, channel: str, outcome: Outcome) -> dict:  # noqa: ANN001
    """What the resident's phone shows: for SMS the one message Twilio would send, with its
    encoding and the number of SMS segments it costs."""
    body = sms.message_body(outcome, web.parlons.settings.sms_plain_languages)
    if body is None:
        return {"reply": None}
    price = cost(body)
    return {"reply": body, "encoding": price.encoding, "segments": price.segments}


def _transcript(raw: str) -> list[dict]:
    try:
        history = json.loads(raw)
    except ValueError:
        return []
    return history if isinstance(history, list) else []


def _page(request: Request, web, staff, channel: str, conversation: str, history: list):  # noqa: ANN001
    return web.render(
        request,
        "simulator.html",
        staff,
        channels=CHANNELS,
        channel=channel,
        conversation=conversation,
        message_id=uuid.uuid4().hex,
        history=history,
        transcript=json.dumps(history, ensure_ascii=False),
    )
