"""The ASGI app: the channels' webhooks, the consultation API (in-process by default) and
health checks, wired from the settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import db
from api.app import attach, create_api
from api.loader import read_consultation
from bot import delivery, health, metrics, services, web
from bot.body_limit import BodyLimit
from bot.settings import Settings, secret
from channels import sms, voice
from channels.twilio_signature import TwilioSignature
from channels.voices import Voices


def create_app(settings: Settings | None = None) -> FastAPI:
    parlons = services.build(settings or Settings())
    settings = parlons.settings

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await parlons.start()
        try:
            yield
        finally:
            await parlons.stop()

    app = FastAPI(
        title="Parlons",
        summary="A citizen consultation by SMS, phone and Telegram",
        lifespan=lifespan,
    )
    app.state.parlons = parlons
    app.add_middleware(BodyLimit, max_bytes=settings.webhook_max_bytes)
    if parlons.api_state is not None:
        attach(app, parlons.api_state)
    handle = parlons.runtime.handle
    signature = TwilioSignature(secret(settings.twilio_auth_token), settings.public_url)
    app.include_router(sms.router(handle, signature, settings.sms_plain_languages))
    app.include_router(delivery.router(signature, db.sessionmaker(parlons.engine)))
    spec = parlons.consultation  # each language's Twilio voice: the file's `voice:` block
    voices = Voices(spec.languages, spec.details().get("voice"))
    app.include_router(
        voice.router(handle, signature, voice.VoiceRenderer(voices, settings.public_url))
    )
    checks = {"database": parlons.ping_database, "sessions": parlons.runtime.store.ping}
    app.include_router(health.router(checks))
    app.include_router(metrics.router(parlons.outbox_depth))
    app.middleware("http")(metrics.time_webhooks)
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
