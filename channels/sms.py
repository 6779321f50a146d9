"""SMS through Twilio: `POST /webhooks/twilio/sms` in, TwiML `<Message>` out."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import replace
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request, Response
from twilio.twiml.messaging_response import MessagingResponse

from channels.base import Handler, Inbound, Outcome
from channels.sms_cost import to_gsm7
from channels.twilio_webhook import TwilioWebhook
from dialogs import Ask, Media, Reply, Text
from dialogs.prompts import latin_language_name

CHANNEL = "sms"
TWIML = "application/xml"
# XML 1.0 cannot carry most control characters nor lone surrogates: one of them in a read-back
# idea would make the whole TwiML unreadable to Twilio, and the resident would get nothing.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


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


def message_body(
    outcome: Outcome, plain: Collection[str] = (), latin_menu: bool = True
) -> str | None:
    """All replies of a turn in one SMS: one message, in order, costs fewer segments.

    Text in a language of `plain` loses the letters GSM-7 lacks ("ê" -> "e"): one such
    letter would make the whole SMS cost UCS-2, twice as many segments. The language menu
    names each language in Latin letters there ("Turkce", "Arabi"), unless `latin_menu` is
    False; in a message that is UCS-2 anyway (Arabic), each keeps its own letters.
    """
    if not outcome.replies:
        return None
    parts = []
    for reply in outcome.replies:
        language = getattr(reply, "language", None) or outcome.language
        menu = isinstance(reply, Ask) and any(o.language for o in reply.options)
        if menu and language in plain and latin_menu:
            reply = _in_latin_letters(reply)
        elif menu:
            parts.append(render_text(reply))  # each language in its own letters
            continue
        text = render_text(reply)
        parts.append(to_gsm7(text) if language in plain else text)
    return "\n".join(parts)


def _in_latin_letters(menu: Ask) -> Ask:
    options = tuple(
        replace(o, label=latin_language_name(o.language)) if o.language else o
        for o in menu.options
    )
    return replace(menu, options=options)


def render(outcome: Outcome, plain: Collection[str] = ()) -> str:
    body = message_body(outcome, plain)
    return twiml(None if body is None else NOT_XML.sub("", body))


NOTHING = str(MessagingResponse())
_ONE_MESSAGE = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>{}</Message></Response>'


def twiml(body: str | None) -> str:
    """What Twilio's `MessagingResponse` writes for one message (or none), as a string: its
    element tree took a tenth of a turn. tests/test_conversations.py checks both agree."""
    if body is None:
        return NOTHING
    if not body:
        return builder_twiml(body)
    return _ONE_MESSAGE.format(escape(body))


def builder_twiml(body: str | None) -> str:
    """The same, by Twilio's builder."""
    response = MessagingResponse()
    if body is not None:
        response.message(body)
    return str(response)


def router(
    handle: Handler,
    twilio: TwilioWebhook,
    plain: Collection[str] = (),
    whatsapp: Callable[[dict[str, str]], Awaitable[str]] | None = None,
) -> APIRouter:
    """`whatsapp` answers what comes from a `whatsapp:` address: a Messaging Service that
    carries SMS and WhatsApp posts both here (channels/whatsapp.py)."""
    routes = APIRouter(include_in_schema=False)

    @routes.post("/webhooks/twilio/sms")
    async def sms_webhook(request: Request) -> Response:
        form = await twilio.form(request, ("MessageSid", "From"), "not an inbound SMS")
        if isinstance(form, Response):
            return form
        if whatsapp is not None and form["From"].startswith("whatsapp:"):
            return Response(await whatsapp(form), media_type=TWIML)
        outcome = await handle(parse(form))
        return Response(render(outcome, plain), media_type=TWIML)

    return routes
