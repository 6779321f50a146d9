"""The ASGI app: every router and middleware Parlons serves, listed here in the order they
are matched, each part built once by bot/wiring/."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from api.app import attach, create_api
from api.loader import read_consultation
from bot import web, wiring
from bot.ops import health, metrics
from bot.ops.body_limit import BodyLimit
from bot.outreach import receipts
from bot.settings import Settings, secret
from bot.turns.held_messages import keep_retaking
from bot.wiring import whatsapp as whatsapp_wiring
from channels import sms, telegram, voice, whatsapp
from channels.twilio_webhook import TwilioWebhook


def create_app(settings: Settings | None = None, telegram_polling: bool = False) -> FastAPI:
    """Parlons whole; `telegram_polling` fetches Telegram's updates instead of waiting for
    the webhook (`parlons serve --telegram-polling`, or PARLONS_TELEGRAM_POLLING)."""
    parlons = wiring.build(settings or Settings())
    settings = parlons.settings
    polling = telegram_polling or settings.telegram_polling
    updates = wiring.telegram_updates(parlons)  # None without a bot token
    # Twilio does not re-deliver an SMS after an error: a failed turn is held, and answered.
    held = wiring.held_turns(parlons)
    messaging = wiring.messaging_turns(parlons, held)  # SMS and WhatsApp: the last one used
    whatsapp_replies = whatsapp_wiring.whatsapp_replies(parlons, messaging)  # held as SMS turns are

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await parlons.start()
        retaking = asyncio.create_task(keep_retaking(held, settings.held_retry_seconds))
        if updates is not None and polling:
            updates.start_polling()
        try:
            yield
        finally:
            retaking.cancel()
            if updates is not None:
                await updates.stop()
            await parlons.stop()

    app = FastAPI(
        title="Parlons",
        summary="A citizen consultation by SMS, phone and Telegram",
        lifespan=lifespan,
    )
    app.state.parlons = parlons
    twilio = TwilioWebhook(secret(settings.twilio_auth_token), settings.public_url)
    renderer = voice.VoiceRenderer(
        parlons.voices, settings.public_url, parlons.consultation.default_language
    )
    # Routes are matched in order: the webhooks (every resident's message) before the API's
    # thirty-odd routes, which cost every webhook a match each when they came first.
    app.include_router(
        sms.router(messaging, twilio, settings.sms_plain_languages, whatsapp_replies)
    )
    app.include_router(whatsapp.router(whatsapp_replies, twilio))
    app.include_router(telegram.router(updates, secret(settings.telegram_secret)))
    stop = whatsapp_wiring.stop_unreachable(parlons)
    app.include_router(receipts.router(twilio, parlons.tables, stop))
    calls = whatsapp_wiring.noting_recordings(parlons, parlons.runtime.handle)  # ERASE deletes them
    app.include_router(voice.router(calls, twilio, renderer))
    if parlons.api_state is not None:
        attach(app, parlons.api_state)  # the consultation API, in-process
    checks = {"database": parlons.ping_database, "sessions": parlons.runtime.store.ping}
    app.include_router(health.router(checks))
    app.include_router(metrics.router(parlons.outbox_depth, held.held.counts))
    staff = wiring.staff_api(parlons, httpx.ASGITransport(app))
    web.mount(app, wiring.staff_pages(parlons, staff))  # the staff page and the kiosks
    # Middleware, outermost last: a webhook's time is measured around the body limit.
    app.add_middleware(BodyLimit, max_bytes=settings.webhook_max_bytes)
    app.add_middleware(metrics.WebhookTimer)
    return app


def create_api_app(settings: Settings | None = None) -> FastAPI:
    """`parlons serve --api-only`: the consultation API alone, for bots elsewhere."""
    settings = settings or Settings()
    return create_api(
        settings.database_url,
        secret(settings.admin_token),
        secret(settings.api_token),
        read_consultation(settings.consultation),
    )
