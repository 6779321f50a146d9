"""Messages to WhatsApp residents through Twilio's Messages API: free-form text within their
customer-service window (24 h after their last WhatsApp message), else only a template
WhatsApp approved (a Content SID per language, from the consultation file's `whatsapp:`),
its one variable the message; never free-form outside the window."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

import httpx
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from bot.outreach.senders import from_transport, from_twilio
from bot.records.contacts import Reachable
from bot.records.whatsapp import WhatsAppWindows
from channels.whatsapp import PREFIX, Message, escape, template_variable


class WhatsAppSender:
    channel = "whatsapp"

    def __init__(self, twilio: Client, from_: str | None, messaging_service: str | None) -> None:
        # A reply comes from the number the resident wrote to (`Message.sender`); a message
        # we start, from `from_`, else from the Messaging Service.
        self._twilio = twilio
        self._from = from_
        self._service = messaging_service

    def render(self, text: str, language: str) -> str:
        """Free-form: full Unicode, WhatsApp's formatting marks escaped."""
        return Message(body=escape(text)).encode()

    def template(self, text: str, content_sid: str) -> str:
        return Message(content_sid=content_sid, variables={"1": template_variable(text)}).encode()

    async def send(self, to: Reachable, text: str, callback: str | None) -> str:
        message = Message.decode(text)
        sent_by = {"from_": message.sender or self._from}
        if not sent_by["from_"]:
            sent_by = {"messaging_service_sid": self._service}
        elif not sent_by["from_"].startswith(PREFIX):
            sent_by["from_"] = PREFIX + sent_by["from_"]
        if message.content_sid:
            what = {
                "content_sid": message.content_sid,
                "content_variables": json.dumps(message.variables or {}, ensure_ascii=False),
            }
        else:
            what = {"body": message.body or ""}
        try:
            sent = await self._twilio.messages.create_async(
                to=PREFIX + to.address.removeprefix("tel:"),
                status_callback=callback,
                **sent_by,
                **what,
            )
        except TwilioRestException as error:
            raise from_twilio(error) from error
        except httpx.TransportError as error:
            raise from_transport(error) from error
        return str(sent.sid)


class WhatsAppOutside:
    """What a message we start becomes on WhatsApp: free text in the window, the language's
    template (else the default language's) outside it, or None: not sent at all."""

    def __init__(
        self,
        windows: WhatsAppWindows,
        templates: Mapping[str, str],
        default_language: str,
    ) -> None:
        self._windows = windows
        self._templates = templates  # language -> Content SID of an approved template
        self._default = default_language

    async def message(
        self, sender: WhatsAppSender, to: Reachable, text: str, now: datetime
    ) -> tuple[str, bool] | None:
        """The encoded message and whether it goes by template."""
        if await self._windows.is_open(to.ref, now):
            return sender.render(text, to.language), False
        sid = self._templates.get(to.language) or self._templates.get(self._default)
        return None if sid is None else (sender.template(text, sid), True)
