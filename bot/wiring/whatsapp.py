"""The WhatsApp parts the wiring adds: the webhook's answer (buttons by the REST API, voice
notes checked), what Twilio's delivery errors stop, the templates outside the 24 h window, and
the recordings noted so that ERASE deletes them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

import httpx

from bot.outreach.ledger import STATUS_PATH, Ledger
from bot.outreach.twilio_rest import delete_recording
from bot.outreach.whatsapp_sender import WhatsAppOutside, WhatsAppSender
from bot.records.whatsapp import WhatsAppContents
from bot.turns.last_channel import LastChannel
from bot.whatsapp.replies import WhatsAppReplies
from bot.whatsapp.voice_notes import VoiceNotes
from bot.wiring import Parlons
from channels import whatsapp
from channels.base import Handler, Inbound, Outcome
from dialogs import Text


def whatsapp_replies(parlons: Parlons, held: LastChannel) -> WhatsAppReplies:
    """The WhatsApp webhook's answer: turns held as SMS turns are; buttons by the REST API
    when Twilio's credentials are set (else text in TwiML, the choices numbered)."""
    settings, twilio = parlons.settings, parlons.twilio
    assert parlons.windows is not None and parlons.recordings is not None
    ledger = voice_notes = forget_media = None
    if twilio is not None:
        sender = WhatsAppSender(twilio, settings.twilio_whatsapp_from, None)
        ledger = Ledger(parlons.tables, {whatsapp.CHANNEL: sender}, settings.public_url, retries=1)
        auth = (twilio.username, twilio.password)
        http = httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=3.0))
        voice_notes = VoiceNotes(http, auth, settings.voice_note_max_bytes, settings.twilio_api_url)
        forget_media = partial(delete_recording, twilio)
    return WhatsAppReplies(
        held,
        parlons.runtime.pseudonyms,
        parlons.windows,
        WhatsAppContents(parlons.tables),
        parlons.recordings,
        ledger,
        voice_notes,
        forget_media=forget_media,
        status_url=f"{settings.public_url.rstrip('/')}{STATUS_PATH}",
    )


def stop_unreachable(parlons: Parlons) -> Callable[[str, str], Awaitable[None]]:
    """Twilio said a resident blocked us or cannot receive (a status callback's error code):
    their STOP, taken as a turn of theirs, its answer never sent."""

    async def stop(address: str, message_sid: str) -> None:
        channel = whatsapp.CHANNEL if address.startswith(whatsapp.PREFIX) else "sms"
        number = address.removeprefix(whatsapp.PREFIX)
        inbound = Inbound(channel, f"unreachable:{message_sid}", f"tel:{number}", Text("STOP"))
        await parlons.runtime.handle(inbound)

    return stop


def whatsapp_templates(parlons: Parlons) -> dict[str, dict[str, str]]:
    """The consultation file's approved templates, per use and language:
    `whatsapp: {templates: {broadcast: {fr: HX...}, idea_outcome: {fr: HX...}}}`."""
    block = parlons.consultation.details().get("whatsapp") or {}
    templates = block.get("templates") or {}
    return {use: dict(templates.get(use) or {}) for use in ("broadcast", "idea_outcome")}


def whatsapp_outside(parlons: Parlons, use: str) -> WhatsAppOutside:
    assert parlons.windows is not None
    default = parlons.runtime.consultation.default_language
    return WhatsAppOutside(parlons.windows, whatsapp_templates(parlons)[use], default)


def noting_recordings(parlons: Parlons, turn: Handler) -> Handler:
    """The phone line's handler: a recorded idea (Twilio's RecordingUrl) is listed with its
    resident, for ERASE and `parlons purge` to delete it at Twilio, as a WhatsApp voice note."""
    recordings, ref = parlons.recordings, parlons.runtime.pseudonyms.ref
    assert recordings is not None

    async def handle(inbound: Inbound) -> Outcome:
        audio = getattr(inbound.event, "audio", None)
        if audio and audio.startswith("https://"):
            await recordings.keep(ref(inbound.address), audio)
        return await turn(inbound)

    return handle
