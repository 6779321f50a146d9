"""SMS through Twilio: `POST /webhooks/twilio/sms` in, TwiML `<Message>` out."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Request, Response
from twilio.twiml.messaging_response import MessagingResponse

from channels.base import Handler, Inbound, Outcome
from channels.twilio_signature import TwilioSignature
from dialogs import Ask, Media, Reply, Text

CHANNEL = "sms"
TWIML = "application/xml"


def parse(form: Mapping[str, str]) -> Inbound:
    body = form.get("Body", "")
    # An MMS with a picture and no words: we can only answer that we read text.
    media_only = not body.strip() and form.get("NumMedia", "0") not in ("", "0")
    return Inbound(
        channel=CHANNEL,
        message_id=form["MessageSid"],
        # SMS and phone calls share `tel:` so one resident is one participant either way.
        address=f"tel:{form['From']}",
        event=Media() if media_only else Text(body),
    )


def render_text(reply: Reply) -> str:
    if isinstance(reply, Ask):
        choices = " ".join(f"{digit}={o.label}" for digit, o in reply.numbered())
        return f"{reply.text}\n{choices}" if reply.text else choices
    return reply.text


def message_body(outcome: Outcome) -> str | None:
    """All replies of a turn in one SMS: one message, in order, costs fewer segments."""
    if not outcome.replies:
        return None
    return "\n".join(render_text(r) for r in outcome.replies)


def render(outcome: Outcome) -> str:
    twiml = MessagingResponse()
    body = message_body(outcome)
    if body is not None:
        twiml.message(body)
    return str(twiml)


def router(handle: Handler, signature: TwilioSignature) -> APIRouter:
    routes = APIRouter(include_in_schema=False)

    @routes.post("/webhooks/twilio/sms")
    async def sms_webhook(request: Request) -> Response:
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        if not signature.is_valid(request, form):
            return Response("forbidden", status_code=403, media_type="text/plain")
        if "MessageSid" not in form or "From" not in form:
            return Response("not an inbound SMS", status_code=400, media_type="text/plain")
        outcome = await handle(parse(form))
        return Response(render(outcome), media_type=TWIML)

    return routes
