"""Twilio's status callbacks for the messages and calls we start: what became of each one,
recorded against its broadcast and resident (named in the callback's own URL)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outreach.ledger import STATUS_PATH
from bot.records.models import BroadcastSend
from channels.twilio_webhook import TwilioWebhook
from channels.whatsapp import UNREACHABLE

# Twilio's MessageStatus and CallStatus, as our ledger says them; the rest are steps on the way.
OUTCOMES = {
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "undelivered",
    "failed": "failed",
    "completed": "delivered",  # the call was answered and the message played
    "busy": "undelivered",
    "no-answer": "undelivered",
    "canceled": "undelivered",
}
# A late "sent" must not undo a "delivered": callbacks may arrive out of order.
RANK = {"retry": 0, "sending": 0, "sent": 1, "delivered": 2, "undelivered": 2, "failed": 2}


async def record_receipt(
    tables: async_sessionmaker[AsyncSession],
    broadcast: str,
    ref: str,
    provider_status: str,
    provider_id: str | None,
) -> bool:
    outcome = OUTCOMES.get(provider_status)
    if outcome is None:
        return False
    async with tables.begin() as db:
        row = await db.get(BroadcastSend, (broadcast, ref))
        if row is None or RANK[outcome] <= RANK.get(row.status, 0):
            return False
        row.status = outcome
        row.provider_id = row.provider_id or provider_id  # known now even after a crash
    return True


Unreachable = Callable[[str, str], Awaitable[None]]  # (the resident's address, MessageSid)


def router(
    twilio: TwilioWebhook,
    tables: async_sessionmaker[AsyncSession],
    unreachable: Unreachable | None = None,
) -> APIRouter:
    """`unreachable` is told of a message that failed because the resident blocked us or
    cannot receive (Twilio's ErrorCode, channels/whatsapp.py): recorded like their STOP."""
    routes = APIRouter(include_in_schema=False)

    @routes.post(STATUS_PATH)
    async def twilio_status(request: Request, broadcast: str = "", ref: str = "") -> Response:
        form = await twilio.form(request)
        if isinstance(form, Response):
            return form
        status = form.get("MessageStatus") or form.get("CallStatus") or ""
        provider_id = form.get("MessageSid") or form.get("CallSid")
        if broadcast:
            await record_receipt(tables, broadcast, ref, status, provider_id)
        blocked = form.get("ErrorCode", "") in UNREACHABLE and status in ("failed", "undelivered")
        if blocked and unreachable is not None and form.get("To"):
            await unreachable(form["To"], provider_id or "")
        return Response(status_code=204)

    return routes
