"""The ASGI app: the channels' webhooks, the consultation API (in-process by default) and
health checks, wired from the settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from api import db
from api.app import MIGRATIONS as API_MIGRATIONS
from api.app import ApiState, attach, build_state
from api.loader import read_consultation
from bot import health
from bot.api_client import ApiClient, HttpApiClient, InProcessApiClient
from bot.identity import Pseudonyms
from bot.optouts import OptOuts
from bot.runtime import Runtime
from bot.settings import Settings, secret
from bot.stores import MemoryStore
from channels import sms
from channels.twilio_signature import TwilioSignature

BOT_MIGRATIONS = "bot:migrations"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    spec = read_consultation(settings.consultation)  # a broken file stops the start, loudly

    api_state: ApiState | None = None
    client: ApiClient
    if settings.api_url:
        client = HttpApiClient(settings.api_url, secret(settings.api_token) or "", spec.slug)
        engine = db.create_engine(settings.database_url)
    else:
        api_state = build_state(
            settings.database_url, secret(settings.admin_token), secret(settings.api_token)
        )
        client = InProcessApiClient(api_state.service, spec.slug)
        engine = api_state.engine

    runtime = Runtime(
        api=client,
        store=MemoryStore(),
        optouts=OptOuts(db.sessionmaker(engine)),
        pseudonyms=Pseudonyms(settings.pseudonym_key.get_secret_value()),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if api_state is not None:
            await db.upgrade(api_state.engine, API_MIGRATIONS)
            await api_state.service.load(spec)
        await db.upgrade(engine, BOT_MIGRATIONS)
        await runtime.start()
        try:
            yield
        finally:
            await client.aclose()
            await engine.dispose()

    app = FastAPI(
        title="Parlons",
        summary="A citizen consultation by SMS, phone and Telegram",
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    if api_state is not None:
        attach(app, api_state)
    signature = TwilioSignature(secret(settings.twilio_auth_token), settings.public_url)
    app.include_router(sms.router(runtime.handle, signature))
    app.include_router(health.router({"database": _pinger(engine), "sessions": runtime.store.ping}))
    return app


def _pinger(engine: AsyncEngine) -> health.Check:
    async def ping() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    return ping
