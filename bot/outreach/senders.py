"""Messages we start: SMS from a Twilio Messaging Service, a Telegram message, a phone call
that reads the message aloud. Each sender knows one wire and says how a failure may be met:
`NotSent` (nothing was sent: try again later), `Undeliverable` (never try again), `MaybeSent`
(it may have left: do not send again; a delivery receipt may still tell)."""

from __future__ import annotations

import warnings
from collections.abc import Collection
from datetime import timedelta
from typing import Protocol

import httpx
from telegram import Bot
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError, TimedOut
from telegram.warnings import PTBDeprecationWarning
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client
from twilio.twiml.voice_response import VoiceResponse

from bot.records.contacts import Reachable
from channels.sms_cost import to_gsm7
from channels.voices import Voices
from channels.whatsapp import UNREACHABLE


class NotSent(Exception):
    """Nothing left: the same message may be tried again (`after` seconds, when told)."""

    def __init__(self, reason: str, after: float | None = None) -> None:
        super().__init__(reason)
        self.after = after


class Undeliverable(Exception):
    """The provider will not deliver to this resident (an invalid number, a blocked bot).
    `unreachable` when it says the resident blocked us or cannot receive: recorded like STOP."""

    def __init__(self, reason: str, unreachable: bool = False) -> None:
        super().__init__(reason)
        self.unreachable = unreachable


class MaybeSent(Exception):
    """The request may have reached the provider: sending again could send twice."""


class Sender(Protocol):
    channel: str

    def render(self, text: str, language: str) -> str:
        """What the resident will receive for this text."""
        ...

    async def send(self, to: Reachable, text: str, callback: str | None) -> str:
        """Send it; the provider's id of the message or call."""
        ...


def _number(address: str) -> str:
    return address.removeprefix("tel:")


def from_twilio(error: TwilioRestException) -> Exception:
    if error.status == 429 or error.status >= 500:
        return NotSent(f"twilio {error.status} {error.code}")
    unreachable = str(error.code) in UNREACHABLE
    return Undeliverable(f"twilio {error.status} {error.code}: {error.msg}"[:200], unreachable)


def from_transport(error: httpx.TransportError) -> Exception:
    # A refused connection never reached Twilio; a timeout after sending may have.
    if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout):
        return NotSent(f"connection: {type(error).__name__}")
    return MaybeSent(f"connection: {type(error).__name__}")


class SmsSender:
    channel = "sms"

    def __init__(self, twilio: Client, messaging_service_sid: str, plain: Collection[str]) -> None:
        self._twilio = twilio
        self._service = messaging_service_sid
        self._plain = frozenset(plain)

    def render(self, text: str, language: str) -> str:
        # As the dialog's replies: plain letters where GSM-7 lacks one, half the segments.
        return to_gsm7(text) if language in self._plain else text

    async def send(self, to: Reachable, text: str, callback: str | None) -> str:
        try:
            message = await self._twilio.messages.create_async(
                to=_number(to.address),
                messaging_service_sid=self._service,
                body=text,
                status_callback=callback,
            )
        except TwilioRestException as error:
            raise from_twilio(error) from error
        except httpx.TransportError as error:
            raise from_transport(error) from error
        return str(message.sid)


class CallSender:
    """Residents who took part by phone get a call that reads the message in their language."""

    channel = "voice"

    def __init__(self, twilio: Client, caller_id: str, voices: Voices) -> None:
        self._twilio = twilio
        self._caller_id = caller_id
        self._voices = voices  # the phone line's own (channels/voices.py)

    def render(self, text: str, language: str) -> str:
        voice = self._voices[language]
        return str(VoiceResponse().say(text, voice=voice.voice, language=voice.language))

    async def send(self, to: Reachable, text: str, callback: str | None) -> str:
        try:
            call = await self._twilio.calls.create_async(
                to=_number(to.address), from_=self._caller_id, twiml=text, status_callback=callback
            )
        except TwilioRestException as error:
            raise from_twilio(error) from error
        except httpx.TransportError as error:
            raise from_transport(error) from error
        return str(call.sid)


class TelegramSender:
    channel = "telegram"

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    def render(self, text: str, language: str) -> str:
        return text

    async def send(self, to: Reachable, text: str, callback: str | None) -> str:
        try:
            message = await self._bot.send_message(int(to.address.removeprefix("telegram:")), text)
        except RetryAfter as error:
            raise NotSent("telegram 429", after=_seconds(error)) from error
        except (Forbidden, BadRequest) as error:  # the bot was blocked, the chat is gone
            raise Undeliverable(f"telegram: {error.message}"[:200]) from error
        except TimedOut as error:
            raise MaybeSent("telegram: timed out") from error
        except TelegramError as error:
            raise NotSent(f"telegram: {error.message}"[:200]) from error
        return str(message.message_id)


def _seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # an int today, a timedelta in PTB's next major: read both
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
