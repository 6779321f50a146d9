"""Everything a running Parlons needs, built from the settings: shared by the web app and by
`parlons chat`, so the terminal speaks to exactly what Twilio would."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from api import db
from api.app import MIGRATIONS as API_MIGRATIONS
from api.app import ApiState, build_state
from api.loader import read_consultation
from api.schemas import ConsultationSpec
from bot import courier
from bot.abuse import Limits
from bot.api_client import ApiClient, HttpApiClient, InProcessApiClient
from bot.centres import Centres
from bot.contacts import Contacts
from bot.identity import Pseudonyms
from bot.open_questions import OpenQuestions
from bot.optouts import OptOuts
from bot.redact import redact_secrets
from bot.runtime import Runtime
from bot.settings import Settings, secret
from bot.stores import MemoryStore, TurnStore
from bot.stores.redis import RedisStore
from bot.telegram_desk import TabletResidents
from channels.voices import Voices

BOT_MIGRATIONS = "bot:migrations"


@dataclass
class Services:
    settings: Settings
    consultation: ConsultationSpec
    api_state: ApiState | None  # None when the API runs apart
    engine: AsyncEngine  # the bot's own tables
    client: ApiClient
    runtime: Runtime
    redis: Redis | None  # production mode: sessions and the outbox

    async def start(self) -> None:
        async with db.exclusive_start(self.engine):
            if self.api_state is not None:
                await db.upgrade(self.api_state.engine, API_MIGRATIONS)
                await self.api_state.service.load(self.consultation)
            await db.upgrade(self.engine, BOT_MIGRATIONS)
        await self.runtime.start()

    async def stop(self) -> None:
        await self.client.aclose()
        await self.engine.dispose()
        if self.redis is not None:
            await self.redis.aclose()

    @property
    def voices(self) -> Voices:
        """Each offered language's Twilio voice: the consultation file's `voice:` block over
        the defaults; a language without one stops the start."""
        return Voices(self.consultation.languages, self.consultation.details().get("voice"))

    async def outbox_depth(self) -> int | None:
        """Entries waiting in the outbox; None in the embedded default (no outbox)."""
        return None if self.redis is None else await self.redis.xlen(outbox_key(self.settings))

    async def ping_database(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))


def build(settings: Settings) -> Services:
    redact_secrets(*settings.secret_values())
    spec = read_consultation(settings.consultation)  # a broken file stops the start, loudly
    api_state, client, engine = api_side(settings, spec.slug)
    redis = connect_redis(settings)
    store: TurnStore
    if redis is not None:
        store = RedisStore(
            redis,
            settings.redis_prefix,
            session_seconds=settings.session_days * 86400,
            replay_seconds=settings.replay_hours * 3600,
        )
    else:
        store = MemoryStore(session_seconds=settings.session_days * 86400)
    bot_tables = db.sessionmaker(engine)
    pseudonyms = Pseudonyms(settings.pseudonym_key.get_secret_value())
    runtime = Runtime(
        api=client,
        store=store,
        optouts=OptOuts(bot_tables),
        pseudonyms=pseudonyms,
        qualify_channels=frozenset(settings.qualify_channels),
        text_limits=settings.max_text_length,
        limits=Limits(
            settings.messages_per_minute,
            settings.messages_per_day,
            settings.ideas_per_day,
            tuple(settings.country_codes),
            settings.participants_per_minute,
        ),
        contacts=Contacts(bot_tables, settings.contact_key.get_secret_value()),
        questions=OpenQuestions(bot_tables),
        forget_on_erase=(
            Centres(bot_tables, settings.telegram_bot_username).forget,
            partial(courier.forget, bot_tables),
            TabletResidents(bot_tables, pseudonyms).forget,
        ),
    )
    return Services(settings, spec, api_state, engine, client, runtime, redis)


def api_side(settings: Settings, slug: str) -> tuple[ApiState | None, ApiClient, AsyncEngine]:
    """The API the bot writes to (apart over HTTP, or in-process) and the bot's database."""
    if settings.api_url:
        client = HttpApiClient(settings.api_url, secret(settings.api_token) or "", slug)
        return None, client, db.create_engine(settings.database_url)
    state = build_state(
        settings.database_url, secret(settings.admin_token), secret(settings.api_token)
    )
    return state, InProcessApiClient(state.service, slug), state.engine


def outbox_key(settings: Settings) -> str:
    return f"{settings.redis_prefix}outbox"


def connect_redis(settings: Settings) -> Redis | None:
    if not settings.redis_url:
        return None
    # A turn waits on Redis while a resident waits on us: fail fast, never hang a webhook.
    return Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=3)
