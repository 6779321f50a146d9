"""Telegram replies: the dialog's replies as `sendMessage` calls with inline keyboards, and a
pressed button's message edited to show the choice (its keyboard gone, so it cannot be
pressed twice). Used for answers and for any message sent first (a broadcast)."""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest

from channels.base import Outcome
from channels.telegram import Pressed, callback_data
from dialogs import Ask, Reply

log = logging.getLogger(__name__)

ICONS = {"agree": "👍", "disagree": "👎", "skip": "⏭"}
ROW = 3  # up to three buttons side by side, more go two by two

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


@dataclass(frozen=True, slots=True)
class Message:
    html: str
    markup: Markup | None = None


def plain(text: str, markup: Markup | None = None) -> Message:
    """One message of our own words (the bot's, not the dialog's)."""
    return Message(html.escape(text, quote=False), markup)


def keyboard(ask: Ask) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            f"{ICONS[o.key]} {o.label}" if o.key in ICONS else o.label,
            callback_data=callback_data(o.key, ask.about),
        )
        for o in ask.options
    ]
    width = ROW if len(buttons) <= ROW else 2
    return InlineKeyboardMarkup([buttons[i : i + width] for i in range(0, len(buttons), width)])


def messages(replies: Sequence[Reply]) -> list[Message]:
    """Statements gather into the message that carries the next question's buttons: "Noted."
    and the next proposal arrive as one message."""
    result: list[Message] = []
    lines: list[str] = []
    for reply in replies:
        if reply.text:
            lines.append(html.escape(reply.text, quote=False))
        if isinstance(reply, Ask):
            result.append(Message("\n\n".join(lines) or "…", keyboard(reply)))
            lines = []
    if lines:
        result.append(Message("\n\n".join(lines)))
    return result


async def send(bot: Bot, chat_id: int, outcome: Outcome) -> None:
    await send_messages(bot, chat_id, messages(outcome.replies))


async def send_messages(bot: Bot, chat_id: int, sent: Sequence[Message]) -> None:
    for message in sent:
        await bot.send_message(
            chat_id, message.html, parse_mode=ParseMode.HTML, reply_markup=message.markup
        )


async def answer_press(bot: Bot, chat_id: int, pressed: Pressed, outcome: Outcome) -> None:
    """A button's answer. Over a message limit it was not taken: its buttons stay, to press
    again when the resident may go on, and the spinner stops with the limit's words as a
    notice (free, unlike a message) unless a message says them. Otherwise `settle`."""
    if outcome.limited is not None:
        notice = None if outcome.replies else outcome.limited.text
        await bot.answer_callback_query(pressed.query_id, text=notice)
        return
    await settle(bot, chat_id, pressed, chosen=not outcome.stale)


async def settle(bot: Bot, chat_id: int, pressed: Pressed, chosen: bool) -> None:
    """Answer the callback (Telegram shows a spinner until then) and take the buttons off the
    message. A choice taken is written under it; an old button only loses its keyboard, so a
    double tap does not wipe the choice the first tap wrote."""
    await bot.answer_callback_query(pressed.query_id)
    if pressed.message_id is None:
        return
    try:
        if chosen and pressed.label and pressed.text_html:
            mark = f"\n\n✓ <b>{html.escape(pressed.label, quote=False)}</b>"
            await bot.edit_message_text(
                pressed.text_html + mark, chat_id, pressed.message_id, parse_mode=ParseMode.HTML
            )
        else:
            await bot.edit_message_reply_markup(chat_id, pressed.message_id)
    except BadRequest as error:  # too old to edit, or its buttons are gone already
        log.info("pressed message not edited: %s", error.message)
