"""The ASGI app: the channels' webhooks, the consultation API (in-process by default) and
health checks, wired from the settings."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import db
from api.app import attach, create_api
from api.loader import read_consultation
from bot import delivery, health, metrics, services, telegram_bot, web
from bot.body_limit import BodyLimit
from bot.held import fault_tolerant, keep_retaking
from bot.settings import Settings, secret
from channels import sms, telegram, voice
from channels.twilio_signature import TwilioSignature


def create_app(settings: Settings | None = None) -> FastAPI:
    parlons = services.build(settings or Settings())
    settings = parlons.settings
    updates = telegram_bot.build(parlons)  # None without a bot token

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await parlons.start()
        retaking = asyncio.create_task(keep_retaking(tolerant, settings.held_retry_seconds))
        if updates is not None and settings.telegram_polling:
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
    app.add_middleware(BodyLimit, max_bytes=settings.webhook_max_bytes)
    # Twilio does not re-deliver an SMS after an error: a failed turn is held, and answered.
    tolerant = fault_tolerant(parlons)
    signature = TwilioSignature(secret(settings.twilio_auth_token), settings.public_url)
    app.include_router(sms.router(tolerant, signature, settings.sms_plain_languages))
    app.include_router(telegram.router(updates, secret(settings.telegram_secret)))
    app.include_router(delivery.router(signature, db.sessionmaker(parlons.engine)))
    default_language = parlons.consultation.default_language
    renderer = voice.VoiceRenderer(parlons.voices, settings.public_url, default_language)
    app.include_router(voice.router(parlons.runtime.handle, signature, renderer))
    # Routes are matched in order: the webhooks (every resident's message) before the API's
    # thirty-odd routes, which cost every webhook a match each when they came first.
    if parlons.api_state is not None:
        attach(app, parlons.api_state)
    checks = {"database": parlons.ping_database, "sessions": parlons.runtime.store.ping}
    app.include_router(health.router(checks))
    app.include_router(metrics.router(parlons.outbox_depth, tolerant.held.counts))
    app.add_middleware(metrics.WebhookTimer)
    web.mount(app, parlons)
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
