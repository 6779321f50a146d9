"""Everything a running Parlons needs, built from the settings: shared by the web app and by
`parlons chat`, so the terminal speaks to exactly what Twilio would."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from api import db
from api.app import MIGRATIONS as API_MIGRATIONS
from api.app import ApiState, build_state
from api.loader import read_consultation
from api.schemas import ConsultationSpec
from bot.api_client import ApiClient, HttpApiClient, InProcessApiClient
from bot.contacts import Contacts
from bot.identity import Pseudonyms
from bot.optouts import OptOuts
from bot.runtime import Runtime
from bot.settings import Settings, secret
from bot.stores import MemoryStore

BOT_MIGRATIONS = "bot:migrations"


@dataclass
class Services:
    settings: Settings
    consultation: ConsultationSpec
    api_state: ApiState | None  # None when the API runs apart
    engine: AsyncEngine  # the bot's own tables
    client: ApiClient
    runtime: Runtime

    async def start(self) -> None:
        if self.api_state is not None:
            await db.upgrade(self.api_state.engine, API_MIGRATIONS)
            await self.api_state.service.load(self.consultation)
        await db.upgrade(self.engine, BOT_MIGRATIONS)
        await self.runtime.start()

    async def stop(self) -> None:
        await self.client.aclose()
        await self.engine.dispose()

    async def ping_database(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))


def build(settings: Settings) -> Services:
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
        store=MemoryStore(session_seconds=settings.session_days * 86400),
        optouts=OptOuts(db.sessionmaker(engine)),
        pseudonyms=Pseudonyms(settings.pseudonym_key.get_secret_value()),
        qualify_channels=frozenset(settings.qualify_channels),
        contacts=Contacts(db.sessionmaker(engine), settings.contact_key.get_secret_value()),
    )
    return Services(settings, spec, api_state, engine, client, runtime)
