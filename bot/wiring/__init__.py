"""The running parts of one Parlons, each built once from the settings: the composition
root. Only bot/app.py, bot/cli.py and bot/commands/ import it (a contract in
.importlinter); every other module is given what it uses."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial

import httpx
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram.ext import AIORateLimiter, ExtBot
from twilio.rest import Client

from api import db
from api.loader import read_consultation
from api.schemas import ConsultationSpec
from api.state import ApiState, build_state, start, starting
from bot.api_client import ApiClient, HttpApiClient, InProcessApiClient
from bot.ops.redact import redact_secrets
from bot.outreach import ledger
from bot.outreach.twilio_rest import HttpxTwilioClient, delete_recording, twilio_client
from bot.records.centres import Centres
from bot.records.contacts import Contacts
from bot.records.open_questions import OpenQuestions
from bot.records.optouts import OptOuts
from bot.records.recordings import KeptRecordings
from bot.records.whatsapp import WhatsAppWindows
from bot.settings import Settings, secret
from bot.stores import MemoryStore, TurnStore
from bot.stores.redis import RedisStore, connect
from bot.telegram.tablet import Tablet, TabletResidents
from bot.telegram.updates import TelegramUpdates
from bot.turns.abuse import Limits
from bot.turns.held_messages import FaultTolerant, HeldMessages
from bot.turns.identity import Pseudonyms
from bot.turns.last_channel import LastChannel
from bot.turns.runtime import Runtime
from bot.web.api import StaffApi
from bot.web.recordings import Recordings
from bot.web.render import Pages
from bot.web.sign_in import CookieSeal
from channels.voices import Voices

log = logging.getLogger(__name__)

BOT_MIGRATIONS = "bot.records:migrations"  # the bot's own tables (bot/records/models.py)
STAFF_STATIC = "/staff/static"


@dataclass
class Parlons:
    settings: Settings
    consultation: ConsultationSpec
    api_state: ApiState | None  # None when the API runs apart
    engine: AsyncEngine  # the bot's own tables (the API's engine when it runs in-process)
    tables: async_sessionmaker[AsyncSession]  # units of work on the bot's own tables
    client: ApiClient
    runtime: Runtime
    redis: Redis | None  # production mode: sessions and the outbox
    voices: Voices  # each offered language's Twilio voice
    centres: Centres
    telegram_bot: ExtBot | None  # None without a bot token
    twilio: Client | None = None  # Twilio's REST API, with the account's credentials
    windows: WhatsAppWindows | None = None  # WhatsApp's customer-service windows
    recordings: KeptRecordings | None = None  # recordings kept at Twilio, by ref

    async def start(self) -> None:
        """The API's start-up (migrate, load the consultation) when it runs here, then the
        bot's own tables, under one start-up lock; then the runtime reads the consultation."""
        if self.api_state is not None:
            lock = starting(self.api_state, self.consultation)
        else:
            lock = db.exclusive_start(self.engine)
        async with lock:
            await db.upgrade(self.engine, BOT_MIGRATIONS)
        await self.runtime.start()

    async def stop(self) -> None:
        await self.client.aclose()
        if self.twilio is not None and isinstance(self.twilio.http_client, HttpxTwilioClient):
            await self.twilio.http_client.aclose()
        await self.engine.dispose()
        if self.redis is not None:
            await self.redis.aclose()

    async def outbox_depth(self) -> int | None:
        """Entries waiting in the outbox; None in the embedded default (no outbox)."""
        return None if self.redis is None else await self.redis.xlen(outbox_key(self.settings))

    async def ping_database(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def healthy(self) -> bool:
        """Whether every store answers now."""
        try:
            async with asyncio.timeout(self.settings.turn_deadline_seconds):  # a hung store too
                await self.runtime.store.ping()
                await self.ping_database()
        except Exception:  # noqa: BLE001
            return False
        return True


def build(settings: Settings) -> Parlons:
    redact_secrets(*settings.secret_values())
    spec = read_consultation(settings.consultation)  # a broken file stops the start, loudly
    api_state, client, engine = api_side(settings, spec.slug)
    redis = connect_redis(settings)
    store: TurnStore
    if redis is not None:
        # A lock's lease is the turn deadline: one left by a turn that died ends soon after.
        store = RedisStore(
            redis,
            settings.redis_prefix,
            session_seconds=settings.session_days * 86400,
            replay_seconds=settings.replay_hours * 3600,
            lock_seconds=settings.turn_deadline_seconds,
            lock_wait_seconds=settings.turn_deadline_seconds,
        )
    else:
        store = MemoryStore(
            session_seconds=settings.session_days * 86400,
            lock_wait_seconds=settings.turn_deadline_seconds,
        )
    tables = db.sessionmaker(engine)
    pseudonyms = Pseudonyms(settings.pseudonym_key.get_secret_value())
    centres = Centres(tables, settings.telegram_bot_username)
    twilio = rest_client(settings, timeout=5.0)  # replies wait on it: Twilio waits 15 s
    windows, recordings = WhatsAppWindows(tables), KeptRecordings(tables)
    runtime = Runtime(
        api=client,
        store=store,
        optouts=OptOuts(tables),
        pseudonyms=pseudonyms,
        qualify_channels=frozenset(settings.qualify_channels),
        text_limits=settings.max_text_length,
        limits=Limits(
            settings.messages_per_minute,
            settings.messages_per_day,
            settings.device_messages_per_minute,
            settings.device_messages_per_day,
            settings.ideas_per_day,
            tuple(settings.country_codes),
            settings.participants_per_minute,
        ),
        contacts=Contacts(tables, settings.contact_key.get_secret_value()),
        questions=OpenQuestions(tables),
        forget_on_erase=(
            centres.forget,
            partial(ledger.forget, tables),
            TabletResidents(tables, pseudonyms).forget,
            windows.forget,
            partial(erase_recordings, twilio, recordings),
        ),
        audio_max_seconds=settings.voice_note_max_seconds,
    )
    # The consultation file's `voice:` block over the defaults; a language without one stops
    # the start.
    voices = Voices(spec.languages, spec.details().get("voice"))
    return Parlons(
        settings,
        spec,
        api_state,
        engine,
        tables,
        client,
        runtime,
        redis,
        voices,
        centres,
        make_bot(settings),
        twilio,
        windows,
        recordings,
    )


def rest_client(settings: Settings, timeout: float = 15.0) -> Client | None:
    """Twilio's REST client with the account's credentials, or None without them."""
    token = secret(settings.twilio_auth_token)
    if not (settings.twilio_account_sid and token):
        return None
    return twilio_client(settings.twilio_account_sid, token, settings.twilio_api_url, timeout)


async def erase_recordings(twilio: Client | None, kept: KeptRecordings, ref: str) -> None:
    """ERASE: the resident's recordings are deleted where they live, at Twilio. One that
    cannot be deleted now stays listed, for `parlons purge` to delete later."""
    gone = []
    for url in await kept.of(ref):
        try:
            if twilio is not None and await delete_recording(twilio, url):
                gone.append(url)
        except Exception as error:  # noqa: BLE001 (the erasure of the ballots goes on)
            log.warning("recording not deleted at Twilio: %s", type(error).__name__)
    await kept.drop(gone)


def api_side(settings: Settings, slug: str) -> tuple[ApiState | None, ApiClient, AsyncEngine]:
    """The API the bot writes to (apart over HTTP, or in-process) and the bot's database."""
    if settings.api_url:
        client = HttpApiClient(settings.api_url, secret(settings.api_token) or "", slug)
        return None, client, db.create_engine(settings.database_url)
    state = build_state(
        settings.database_url, secret(settings.admin_token), secret(settings.api_token)
    )
    return state, InProcessApiClient(state.service, slug), state.engine


@asynccontextmanager
async def consultation_api(settings: Settings) -> AsyncIterator[tuple[ApiState, str]]:
    """The API's state on the consultation's database, started as the server starts it (the
    start-up lock taken, the tables migrated, the consultation file loaded)."""
    spec = read_consultation(settings.consultation)
    state = build_state(settings.database_url, secret(settings.admin_token), None)
    try:
        await start(state, spec)
        yield state, spec.slug
    finally:
        await state.engine.dispose()


async def with_centres(settings: Settings, act: Callable[[Centres], Awaitable[None]]) -> None:
    """`act` on the social centres alone (`parlons centre`, `parlons mediator`): the bot's own
    tables migrated, nothing else started."""
    engine = db.create_engine(settings.database_url)
    try:
        await db.upgrade(engine, BOT_MIGRATIONS)
        await act(Centres(db.sessionmaker(engine), settings.telegram_bot_username))
    finally:
        await engine.dispose()


def outbox_key(settings: Settings) -> str:
    return f"{settings.redis_prefix}outbox"


def connect_redis(settings: Settings) -> Redis | None:
    return connect(settings.redis_url) if settings.redis_url else None


def require_redis(settings: Settings) -> Redis:
    """For the commands that only make sense with the outbox."""
    redis = connect_redis(settings)
    if redis is None:
        sys.exit("parlons: PARLONS_REDIS_URL is not set: there is no outbox (embedded mode)")
    return redis


# --- the parts the web app adds --------------------------------------------------------------


def held_turns(parlons: Parlons) -> FaultTolerant:
    """The SMS webhook's handler: a turn that fails or is too slow is held, and answered."""
    runtime, settings = parlons.runtime, parlons.settings
    return FaultTolerant(
        runtime.handle,
        HeldMessages(settings.held_dir, settings.contact_key.get_secret_value()),
        runtime.pseudonyms.ref,
        lambda inbound: runtime.always_heard(inbound.event),
        lambda: runtime.consultation.default_language,
        settings.turn_deadline_seconds,
        parlons.healthy,
        settings.replay_hours * 3600,  # after this, a held message could count twice
    )


def messaging_turns(parlons: Parlons, held: FaultTolerant) -> LastChannel:
    """SMS and WhatsApp turns, held on a fault; the resident hears back on the channel of
    the two they used last."""
    runtime = parlons.runtime
    assert runtime.contacts is not None
    return LastChannel(held, runtime.pseudonyms, runtime.contacts, runtime.abuse.serves)


def make_bot(settings: Settings) -> ExtBot | None:
    """The Bot API client, or None without a token. Telegram allows about 30 messages a
    second in all and 20 a minute in a group: the rate limiter spaces them (a private chat's
    few replies to one message go at once), and a 429 is waited out and retried."""
    token = secret(settings.telegram_bot_token)
    if not token:
        return None
    base = settings.telegram_api_url.rstrip("/")
    return ExtBot(
        token,
        base_url=f"{base}/bot",
        base_file_url=f"{base}/file/bot",
        rate_limiter=AIORateLimiter(max_retries=3),
    )


def telegram_updates(parlons: Parlons) -> TelegramUpdates | None:
    """Telegram for this process, or None without a bot token."""
    bot = parlons.telegram_bot
    if bot is None:
        return None
    tablet = Tablet(bot, parlons.runtime, parlons.centres, parlons.tables)
    return TelegramUpdates(bot, parlons.runtime, parlons.centres, tablet)


def staff_pages(parlons: Parlons, api: StaffApi) -> Pages:
    """The staff web page's parts; `api` is the consultation API as staff reach it."""
    settings = parlons.settings
    key = secret(settings.web_secret) or f"web:{settings.pseudonym_key.get_secret_value()}"
    seal = CookieSeal(key, int(settings.web_sign_in_hours * 3600))
    recordings = Recordings(settings, parlons.telegram_bot)
    return Pages(seal, api, parlons.runtime, settings, parlons.voices, parlons.centres, recordings)


def staff_api(parlons: Parlons, app: httpx.AsyncBaseTransport) -> StaffApi:
    """The API as staff reach it: apart, or served by this very app (`app`, its ASGI
    transport), reached in-process but still through its routes."""
    if parlons.settings.api_url:
        return StaffApi(parlons.settings.api_url, parlons.consultation.slug)
    return StaffApi("http://parlons.local", parlons.consultation.slug, app)
