"""What could name or record a resident goes, some time after the close (`parlons purge`).

`PARLONS_PURGE_AFTER_DAYS` after the consultation's closing date, it deletes the sessions
(and the locks, re-delivery keys and abuse counters beside them), the contact addresses of
residents who asked to hear back, the outbox's dead letters, the messages held during a fault,
and the recordings of ideas (the proposal keeps its text). Ballots, proposals and results stay:
they are pseudonymous and they are the consultation. Before that date it deletes nothing.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select

from api import db
from api.loader import read_consultation
from api.state import build_state
from bot.outreach.twilio_rest import HttpxTwilioClient, delete_recording, twilio_client
from bot.records.models import Contact, WhatsAppWindow
from bot.records.recordings import KeptRecordings
from bot.settings import Settings, secret
from bot.stores.redis import RedisStore, connect

# Every key a turn store keeps about residents (RedisStore.keys and count).
SESSION_KEYS = ("session:*", "seen:*", "lock:*", "count:*")


@dataclass(frozen=True, slots=True)
class Purged:
    sessions: int
    contacts: int
    dead_letters: int
    held: int
    recordings: int | None  # None when the API runs apart: its operator purges them there
    at_twilio: int = 0  # recordings deleted where they live, at Twilio


async def purge(settings: Settings, now: datetime | None = None) -> Purged | datetime:
    """Delete it all, or return the moment from which it may be deleted."""
    spec = read_consultation(settings.consultation)
    now = now or datetime.now(UTC)
    if spec.closes is None:
        return datetime.max.replace(tzinfo=UTC)
    allowed = spec.closes + timedelta(days=settings.purge_after_days)
    if now < allowed:
        return allowed
    engine = db.create_engine(settings.database_url)
    try:
        async with db.sessionmaker(engine).begin() as tables:
            contacts = await tables.scalar(select(func.count()).select_from(Contact)) or 0
            await tables.execute(delete(Contact))
            await tables.execute(delete(WhatsAppWindow))
        at_twilio = await _recordings_at_twilio(settings, KeptRecordings(db.sessionmaker(engine)))
    finally:
        await engine.dispose()
    recordings = None
    if not settings.api_url:  # the API in this process: through its service layer
        api = build_state(settings.database_url, None, None)
        try:
            recordings = await api.service.forget_recordings(spec.slug)
        finally:
            await api.engine.dispose()
    sessions = dead = 0
    if settings.redis_url:
        redis = connect(settings.redis_url)  # the runtime's own store
        try:
            for pattern in SESSION_KEYS:
                keys = [k async for k in redis.scan_iter(f"{settings.redis_prefix}{pattern}")]
                sessions += await redis.delete(*keys) if keys else 0
            dead_stream = f"{RedisStore(redis, settings.redis_prefix).outbox_key}:dead"
            dead = await redis.xlen(dead_stream)
            await redis.delete(dead_stream)
        finally:
            await redis.aclose()
    held = len(list(settings.held_dir.rglob("*.json"))) if settings.held_dir.is_dir() else 0
    shutil.rmtree(settings.held_dir, ignore_errors=True)
    return Purged(sessions, contacts, dead, held, recordings, at_twilio)


async def _recordings_at_twilio(settings: Settings, kept: KeptRecordings) -> int:
    """Every recording kept at Twilio (phone ideas, WhatsApp voice notes), deleted there."""
    token = secret(settings.twilio_auth_token)
    urls = await kept.of()
    if not urls or not (settings.twilio_account_sid and token):
        return 0
    twilio = twilio_client(settings.twilio_account_sid, token, settings.twilio_api_url)
    gone = [url for url in urls if await delete_recording(twilio, url)]
    await kept.drop(gone)
    http = twilio.http_client
    if isinstance(http, HttpxTwilioClient):
        await http.aclose()
    return len(gone)

