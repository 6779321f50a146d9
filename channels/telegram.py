"""Telegram: `POST /webhooks/telegram` in, parsed with python-telegram-bot's own types.

A webhook request is checked against the secret given to `setWebhook`; polling hands the same
`Update` objects to the same parser. Replies go out through `channels.telegram_replies`.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from telegram import ChatMember, Message, Update
from telegram.constants import ChatType

from channels.base import Inbound
from dialogs import Event, Media, Press, Text

CHANNEL = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
START = "/start"

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Pressed:
    """An inline button pressed: the callback to answer, and the message that carried it (None
    when Telegram no longer sends it back), so the message can show what was chosen."""

    query_id: str
    message_id: int | None
    text_html: str
    label: str | None


@dataclass(frozen=True, slots=True)
class Arrival:
    """One update from a resident (or a mediator) in a private chat."""

    chat_id: int
    inbound: Inbound
    start: str | None = None  # the payload of a deep link t.me/<bot>?start=<payload>
    pressed: Pressed | None = None
    blocked: bool = False  # the user blocked the bot: stop them, and send nothing


@dataclass(frozen=True, slots=True)
class GroupChat:
    """A message in a group: the bot only talks in private chats."""

    chat_id: int
    hint: str | None


def callback_data(key: str, about: int | None) -> str:
    """Compact button data, `<about>:<key>` (`12:agree`, `:write`): a few bytes of the 64."""
    return f"{'' if about is None else about}:{key}"


def press(data: str) -> Press:
    """A button's press; data we never sent becomes a press of no option, which the dialog
    answers like an old button: nothing taken, the current question again."""
    about, colon, key = data.partition(":")
    if not colon or (about and not about.isdigit()):
        return Press("")
    return Press(key, int(about) if about else None)


def parse(update: Update) -> Arrival | GroupChat | None:
    """What an update asks of us; None for what we ignore (edited messages, channel posts,
    a group's membership changes...)."""
    message_id = str(update.update_id)
    if (query := update.callback_query) is not None:
        if query.message is None:
            return None
        event = press(query.data or "")
        carrier = query.message if isinstance(query.message, Message) else None
        pressed = Pressed(
            query_id=query.id,
            message_id=carrier.message_id if carrier else None,
            text_html=carrier.text_html if carrier and carrier.text else "",
            label=_label(carrier, query.data) if carrier else None,
        )
        inbound = _inbound(message_id, query.from_user.id, event)
        return Arrival(query.message.chat.id, inbound, pressed=pressed)
    if (member := update.my_chat_member) is not None:
        if member.chat.type != ChatType.PRIVATE or member.new_chat_member.status not in (
            ChatMember.BANNED,
            ChatMember.LEFT,
        ):
            return None
        inbound = _inbound(message_id, member.from_user.id, Text("STOP"))
        return Arrival(member.chat.id, inbound, blocked=True)
    message = update.message
    if message is None or message.from_user is None or message.from_user.is_bot:
        return None
    hint = _language(message.from_user.language_code)
    if message.chat.type != ChatType.PRIVATE:
        return GroupChat(message.chat.id, hint)
    start = None
    if message.text and (message.text == START or message.text.startswith(START + " ")):
        start = message.text.removeprefix(START).strip() or None
    inbound = _inbound(message_id, message.from_user.id, _event(message, hint, start))
    return Arrival(message.chat.id, inbound, start=start)


def _inbound(message_id: str, user_id: int, event: Event) -> Inbound:
    return Inbound(CHANNEL, message_id, f"telegram:{user_id}", event)


def _event(message: Message, hint: str | None, start: str | None) -> Event:
    if start is not None:
        return Text(START, hint=hint)  # the payload is the runtime's; the dialog sees a start
    if message.text:
        return Text(message.text, hint=hint)
    recording = message.voice or message.audio
    if recording is not None:
        # A voice note is an idea, kept by its file id until a moderator listens to it.
        return Text(message.caption or "", hint=hint, audio=recording.file_id)
    if message.caption:
        return Text(message.caption, hint=hint)
    return Media()


def _language(code: str | None) -> str | None:
    """Telegram's IETF tag ("pt-br") as our language ("pt")."""
    return code.split("-")[0].lower() if code else None


def _label(message: Message, data: str | None) -> str | None:
    markup = message.reply_markup
    buttons = [b for row in markup.inline_keyboard for b in row] if markup else []
    return next((b.text for b in buttons if b.callback_data == data), None)


def secret_matches(request: Request, secret: str | None) -> bool:
    given = request.headers.get(SECRET_HEADER)
    return bool(secret and given) and hmac.compare_digest(given.encode(), secret.encode())


def router(dispatch: Callable[[Update], Awaitable[None]] | None, secret: str | None) -> APIRouter:
    """Without a secret (or a bot token to answer with, hence no `dispatch`) every request is
    refused: an unchecked webhook would let anyone vote in a resident's name."""
    routes = APIRouter(include_in_schema=False)

    @routes.post("/webhooks/telegram")
    async def telegram_webhook(request: Request) -> Response:
        if dispatch is None or not secret_matches(request, secret):
            return Response("forbidden", status_code=403, media_type="text/plain")
        try:
            update = Update.de_json(json.loads(await request.body()), None)
        except (ValueError, KeyError, TypeError):
            return Response("not a Telegram update", status_code=400, media_type="text/plain")
        try:
            await dispatch(update)
        except Exception as e:  # noqa: BLE001 (a store down: Telegram delivers it again later)
            log.error("Telegram update not answered, 503: %s", type(e).__name__)
            return Response("try again later", status_code=503, media_type="text/plain")
        return Response(status_code=200)

    return routes
