"""What the tests of messages we start share: residents texting the real app on a loopback
port, fake Twilio and Telegram servers, a clock that waiting moves on."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from api import db
from bot.app import create_app
from bot.outreach.broadcast import BroadcastFile
from bot.records.contacts import Contacts
from bot.records.models import BroadcastSend
from bot.settings import Settings
from tests.conftest import Phone, ServerThread
from tests.fakes import FakeClock, FakeTelegram

PARIS = ZoneInfo("Europe/Paris")
ACCOUNT = "AC" + "0" * 32
SERVICE = "MG" + "1" * 32
YES = ["Bonjour", "1", "1", "1", "2", "1", "1"]  # every proposal, no idea, then yes
NO = [*YES[:-1], "2"]
SPEC = BroadcastFile(
    name="results-2027",
    messages={
        "fr": "Les résultats sont là : l'aide alimentaire arrive en tête. Réunion publique le 12 "
        "mars à 18 h, salle des fêtes de Bourtzwiller. Répondez STOP pour ne plus rien recevoir.",
        "en": "The results are in: food aid comes first. Public meeting on 12 March at 6 pm.",
        "ar": "النتائج متاحة: المساعدة الغذائية في المقدمة. اجتماع عام يوم 12 مارس.",
    },
)


@pytest.fixture
def live_app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def live(live_app: FastAPI) -> Iterator[httpx.Client]:
    """The real app on a loopback port: residents text it while a broadcast runs."""
    with ServerThread(live_app) as server, httpx.Client(base_url=server.url) as http:
        yield http


@pytest.fixture
async def contacts(settings: Settings, live: httpx.Client) -> AsyncIterator[Contacts]:
    engine = db.create_engine(settings.database_url)
    yield Contacts(db.sessionmaker(engine), settings.contact_key.get_secret_value())
    await engine.dispose()


def converse(live: httpx.Client, number: str, texts: list[str]) -> str:
    phone = Phone(live, number)  # type: ignore[arg-type]
    return [phone.send(t) for t in texts][-1]


def daytime() -> FakeClock:
    return FakeClock(datetime(2027, 3, 10, 10, 0, tzinfo=PARIS))


def as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite keeps no zone


async def ledger_rows(contacts: Contacts) -> list[BroadcastSend]:
    async with contacts._tables() as session:
        return list((await session.scalars(select(BroadcastSend))).all())


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    fake = FakeTelegram(token="123:test-bot-token")
    with ServerThread(fake.app()) as server:
        fake.url = server.url  # type: ignore[attr-defined]
        yield fake
