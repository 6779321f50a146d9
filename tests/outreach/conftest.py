"""What the tests of messages we start share: residents texting the real app on a loopback
port, fake Twilio and Telegram servers, a clock that waiting moves on."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import yaml
from fastapi import FastAPI
from sqlalchemy import select

from api import db
from bot.app import create_app
from bot.outreach.broadcast import BroadcastFile
from bot.records.contacts import Contacts
from bot.records.models import BroadcastSend
from bot.settings import Settings
from tests.conftest import PUBLIC_URL, Phone, ServerThread
from tests.fakes import FakeClock, FakeTelegram, FakeTwilio

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


def spec_file(folder: Path, spec: BroadcastFile = SPEC) -> Path:
    """The broadcast as an operator writes it, for `parlons broadcast FILE`."""
    path = folder / "results.yaml"
    path.write_text(yaml.safe_dump(spec.model_dump(), allow_unicode=True), encoding="utf-8")
    return path


def command_env(settings: Settings, fake_twilio: FakeTwilio, **more: str) -> dict[str, str]:
    """The environment of a `parlons` process on the test database, sending SMS to the fake
    Twilio; no quiet hours unless `PARLONS_QUIET_HOURS` is given (the test may run at night)."""
    return {
        **os.environ,
        "PARLONS_DATABASE_URL": settings.database_url,
        "PARLONS_CONSULTATION": str(settings.consultation),
        "PARLONS_PSEUDONYM_KEY": settings.pseudonym_key.get_secret_value(),
        "PARLONS_CONTACT_KEY": settings.contact_key.get_secret_value(),
        "PARLONS_PUBLIC_URL": PUBLIC_URL,
        "PARLONS_QUIET_HOURS": "",
        "PARLONS_TWILIO_API_URL": fake_twilio.url,  # type: ignore[attr-defined]
        "TWILIO_ACCOUNT_SID": ACCOUNT,
        "TWILIO_AUTH_TOKEN": "twilio-rest-token",
        "TWILIO_MESSAGING_SERVICE_SID": SERVICE,
        **more,
    }
