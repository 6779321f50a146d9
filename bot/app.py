"""The ASGI app: the channels' webhooks, the consultation API (in-process by default) and
health checks, wired from the settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.app import attach
from bot import health, services, web
from bot.settings import Settings, secret
from channels import sms
from channels.twilio_signature import TwilioSignature


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
    if parlons.api_state is not None:
        attach(app, parlons.api_state)
    handle = parlons.runtime.handle
    signature = TwilioSignature(secret(settings.twilio_auth_token), settings.public_url)
    app.include_router(sms.router(handle, signature, settings.sms_plain_languages))
    checks = {"database": parlons.ping_database, "sessions": parlons.runtime.store.ping}
    app.include_router(health.router(checks))
    web.mount(app, parlons)
    return app
