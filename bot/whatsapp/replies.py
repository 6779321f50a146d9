"""The answer to a WhatsApp message. The turn is taken as for SMS (held when a store fails);
then, when its last reply is a choice that has buttons (a Content SID cached for its language
and choice set), the replies go by Twilio's REST Messages API with that ContentSid and the
webhook answers an empty TwiML; otherwise, or when the REST API fails, they go in the TwiML
answer as text, the choices numbered.

The REST send goes through the send-once ledger under `reply:<MessageSid>`: claimed before it
leaves, so a webhook Twilio delivers again (the answer was lost) never sends twice; a claim
whose send failed with nothing sent (`retry`) is answered in TwiML, and tried again by REST
if the webhook comes again."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from twilio.twiml.messaging_response import MessagingResponse

from bot.outreach.ledger import Ledger
from bot.outreach.whatsapp_sender import WhatsAppSender
from bot.records.contacts import Reachable
from bot.records.recordings import KeptRecordings
from bot.records.whatsapp import WhatsAppContents, WhatsAppWindows
from bot.turns.identity import Pseudonyms
from bot.whatsapp.voice_notes import VoiceNotes
from channels import whatsapp
from channels.base import Handler, Outcome
from dialogs import Ask

log = logging.getLogger(__name__)

EMPTY = str(MessagingResponse())  # the replies went by REST: nothing in the TwiML


class WhatsAppReplies:
    def __init__(
        self,
        turn: Handler,
        pseudonyms: Pseudonyms,
        windows: WhatsAppWindows,
        contents: WhatsAppContents,
        recordings: KeptRecordings,
        ledger: Ledger | None = None,  # with a WhatsApp sender: buttons by REST
        voice_notes: VoiceNotes | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        forget_media: Callable[[str], Awaitable[object]] | None = None,
        status_url: str | None = None,
    ) -> None:
        self.status_url = status_url  # Twilio's status callbacks of the TwiML replies
        self.turn = turn
        self.pseudonyms = pseudonyms
        self.windows = windows
        self.contents = contents
        self.recordings = recordings
        self.ledger = ledger
        self.voice_notes = voice_notes
        self.clock = clock
        self.forget_media = forget_media  # a picture we do not keep, deleted at Twilio

    async def __call__(self, form: dict[str, str]) -> str:
        arrival = whatsapp.parse(form)
        inbound = arrival.inbound
        ref = self.pseudonyms.ref(inbound.address)
        # Any message the resident sends opens WhatsApp's window, whatever we make of it.
        await self.windows.opened(ref, self.clock())
        note = arrival.voice_note
        if note is not None:
            await self.recordings.keep(ref, note.url)  # ERASE and purge delete it at Twilio
            if self.voice_notes is not None:
                inbound = await self.voice_notes.measured(inbound, note)
        outcome = await self.turn(inbound)
        await self._forget_other_media(arrival, note)
        return await self.answer(arrival, ref, outcome)

    async def answer(self, arrival: whatsapp.Arrival, ref: str, outcome: Outcome) -> str:
        sent = await self.with_buttons(arrival, ref, outcome)
        return EMPTY if sent else whatsapp.render(outcome, self.status_url)

    async def buttons(self, outcome: Outcome) -> list[whatsapp.Message] | None:
        """The turn as messages with buttons, when its last reply is a choice that has them."""
        last = outcome.replies[-1] if outcome.replies else None
        if not isinstance(last, Ask):
            return None
        choice = whatsapp.choice_of(last, outcome.language)
        sid = None if choice is None else await self.contents.sid(choice.key)
        if choice is None or sid is None:
            if choice is not None:
                log.info("no content for %s: run parlons whatsapp-content", choice.key)
            return None
        return whatsapp.with_buttons(outcome, sid, choice)

    async def with_buttons(self, arrival: whatsapp.Arrival, ref: str, outcome: Outcome) -> bool:
        """Sent by REST, once (or already sent for this message): nothing left for TwiML."""
        if self.ledger is None or (messages := await self.buttons(outcome)) is None:
            return False
        message_sid = arrival.inbound.message_id
        to = Reachable(ref, whatsapp.CHANNEL, arrival.inbound.address, outcome.language)
        sender = self.ledger.senders[whatsapp.CHANNEL]
        assert isinstance(sender, WhatsAppSender)
        for n, message in enumerate(messages):
            name = f"reply:{message_sid}" + (f":{n}" if n else "")
            if ref in await self.ledger.done(name):
                continue  # a webhook delivered again: it left (or may have) the first time
            text = replace(message, sender=arrival.ours or None).encode()
            try:
                status = await self.ledger.deliver(name, to, sender, text, outcome.language)
            except IntegrityError:
                continue  # the same message, delivered twice at once: the other one sends
            if status in ("retry", "failed"):
                log.warning("buttons not sent (%s): answered as text ref=%s", status, ref)
                return False
        return True

    async def _forget_other_media(
        self, arrival: whatsapp.Arrival, note: whatsapp.Attachment | None
    ) -> None:
        """What we cannot read (a picture, a sticker, a document) is not kept at Twilio."""
        if self.forget_media is None:
            return
        for attachment in arrival.attachments:
            if attachment is not note:
                try:
                    await self.forget_media(attachment.url)
                except Exception as error:  # noqa: BLE001 (the answer matters more)
                    log.warning("media not deleted at Twilio: %s", type(error).__name__)
