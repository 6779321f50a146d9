"""Shared test fixtures: the real app, real signed Twilio requests, a real SQLite file (or a
real PostgreSQL database: see `database_url`), real Redis for the production mode, and fake
Twilio and Telegram servers (real HTTP servers on loopback). Each folder's conftest.py adds
its own; test modules import helpers (never fixtures) from here and from helper modules."""

from __future__ import annotations

import asyncio
import itertools
import os
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from twilio.request_validator import RequestValidator

from api import db
from bot.app import create_app
from bot.cli import main
from bot.records.centres import KIOSK, Centres
from bot.settings import Settings
from tests.fakes import FakeClock, FakeTelegram, FakeTwilio

ROOT = Path(__file__).resolve().parent.parent  # the repository
DATA = Path(__file__).parent / "data"
# Real webhook payloads (Twilio, Telegram) and Pol.is open data, kept in the repository.
WEBHOOKS = DATA / "webhooks"
POLIS_OPEN_DATA = DATA / "polis-opendata"
AUTH_TOKEN = "test-twilio-auth-token"
ADMIN_TOKEN = "test-admin-token"
BOT_TOKEN = "test-bot-token"
PUBLIC_URL = "https://parlons.example.org"
SMS_URL = f"{PUBLIC_URL}/webhooks/twilio/sms"
TELEGRAM_TOKEN = "7011223344:TEST-telegram-token"
TELEGRAM_SECRET = "test-telegram-secret"  # the webhook's secret (setWebhook)
_sids = itertools.count(1)

# Property tests (hypothesis): CI runs every property with PROPERTY_EXAMPLES examples, new
# ones each run; a developer gets a quarter of that unless HYPOTHESIS_PROFILE=ci. Tests that go
# through the whole app state their own, smaller count.
PROPERTY_EXAMPLES = 400
_quiet = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
hypothesis_settings.register_profile("ci", max_examples=PROPERTY_EXAMPLES, **_quiet)
hypothesis_settings.register_profile("dev", max_examples=PROPERTY_EXAMPLES // 4, **_quiet)
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")
)


# `make test` runs the suite on SQLite, then the tests marked `database` (every test that
# builds the app from `settings`) again with this set to a PostgreSQL database of their own.
POSTGRES_URL = os.environ.get("PARLONS_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("PARLONS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI") == "true"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "database: builds the app on the test database")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "settings" in getattr(item, "fixturenames", ()):
            item.add_marker("database")


def unavailable(what: str, error: Exception) -> None:
    """A service the test needs is missing: a failure in CI, a skip on a laptop."""
    message = f"{what} unavailable: {error}"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


async def _fresh_postgres(url: str) -> None:
    """Create the test database when missing, and empty it: every test starts from nothing."""
    parsed = make_url(url)
    server = create_async_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with server.connect() as c:
            found = await c.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}
            )
            if not found:
                await c.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        await server.dispose()
    engine = create_async_engine(url)
    try:
        async with engine.begin() as c:
            await c.execute(text("DROP SCHEMA public CASCADE"))
            await c.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    if POSTGRES_URL is None:
        return f"sqlite+aiosqlite:///{tmp_path}/parlons.db"
    try:
        # In a thread of its own: some tests (the browser's) already run an event loop.
        with ThreadPoolExecutor(1) as thread:
            thread.submit(asyncio.run, _fresh_postgres(POSTGRES_URL)).result()
    except (OSError, ConnectionError) as e:
        unavailable("PostgreSQL", e)
    return POSTGRES_URL


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own on the shared Redis, its keys deleted afterwards."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as e:
        unavailable("Redis", e)
    prefix = f"parlons-test:{uuid.uuid4().hex[:12]}:"
    yield prefix
    for key in client.scan_iter(match=f"{prefix}*", count=1000):
        client.delete(key)
    client.close()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        held_dir=tmp_path / "held",  # messages a fault held: each test its own
        public_url=PUBLIC_URL,
        consultation=DATA / "consultation.yaml",
        pseudonym_key="test-pseudonym-key",
        admin_token=ADMIN_TOKEN,
        api_token=BOT_TOKEN,
        twilio_auth_token=AUTH_TOKEN,
    )


@pytest.fixture
def redis_settings(settings: Settings, redis_prefix: str) -> Settings:
    """The production mode: sessions, locks, re-delivery keys and the outbox in Redis."""
    settings.redis_url = REDIS_URL
    settings.redis_prefix = redis_prefix
    return settings


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    """Telegram's Bot API, faked by a real HTTP server on loopback."""
    fake = FakeTelegram(TELEGRAM_TOKEN)
    with ServerThread(fake.app()) as server:
        fake.url = server.url
        yield fake


@pytest.fixture
def telegram_settings(settings: Settings, fake_telegram: FakeTelegram) -> Settings:
    """The app with its Telegram bot, talking to the fake Bot API."""
    settings.telegram_bot_token = TELEGRAM_TOKEN
    settings.telegram_secret = TELEGRAM_SECRET
    settings.telegram_api_url = fake_telegram.url
    settings.telegram_bot_username = "TestBot"
    return settings


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    """Twilio's REST API, faked by a real HTTP server on loopback."""
    fake = FakeTwilio()
    with ServerThread(fake.app()) as server:
        fake.url = server.url  # type: ignore[attr-defined]
        yield fake
    fake.release.set()


@pytest.fixture
def parlons(settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture):
    """`parlons ...` on the same database as the app; returns what it printed."""
    monkeypatch.setenv("PARLONS_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PARLONS_TELEGRAM_BOT_USERNAME", "TestBot")

    def run(*argv: str) -> str:
        capsys.readouterr()
        main(list(argv))
        return capsys.readouterr().out

    return run


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    # Over https, as a browser reaches the public address: the staff cookies are Secure there.
    with TestClient(create_app(settings), base_url="https://testserver") as c:
        yield c


def new_sid() -> str:
    return f"SM{next(_sids):032x}"


def sms_form(number: str, body: str, sid: str | None = None) -> dict[str, str]:
    """The fields Twilio posts for an inbound SMS (see tests/data/webhooks/twilio_sms)."""
    sid = sid or new_sid()
    return {
        "ToCountry": "FR",
        "SmsMessageSid": sid,
        "SmsSid": sid,
        "MessageSid": sid,
        "SmsStatus": "received",
        "NumMedia": "0",
        "NumSegments": "1",
        "FromCountry": "FR",
        "Body": body,
        "To": "+33199000042",
        "From": number,
        "AccountSid": "AC00000000000000000000000000000000",
        "ApiVersion": "2010-04-01",
    }


def sign(url: str, form: dict[str, str], token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, form)


def message_text(twiml: str) -> str:
    """The SMS a resident receives from a TwiML answer; "" when nothing is sent."""
    root = ET.fromstring(twiml)
    assert root.tag == "Response"
    return "\n".join("".join(m.itertext()) for m in root.findall("Message"))


class Phone:
    """A resident's phone: texts the number through the real webhook, signed as Twilio does."""

    def __init__(self, client: TestClient, number: str) -> None:
        self.client = client
        self.number = number

    def send(self, body: str, sid: str | None = None) -> str:
        form = sms_form(self.number, body, sid)
        response = self.client.post(
            "/webhooks/twilio/sms", data=form, headers={"X-Twilio-Signature": sign(SMS_URL, form)}
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/xml")
        return message_text(response.text)


@pytest.fixture
def phone(client: TestClient) -> Phone:
    return Phone(client, "+33639980102")


def send_idea(phone: Phone, text: str) -> None:
    assert "Il faut..." in phone.send("idée")
    assert text in phone.send(text)
    assert "Un modérateur va lire votre idée" in phone.send("1")


def shown_until_done(phone: Phone) -> list[str]:
    """Vote 'skip' on everything offered; return the proposals' texts in the order shown."""
    shown = []
    reply = phone.send("Bonjour")
    for _ in range(20):
        if "Proposition" not in reply:
            if "Avez-vous une idée" in reply:  # the offer to write one: no thanks
                reply = phone.send("2")
                continue
            return shown
        heading, text = reply.split("Proposition ")[1].split(" : ", 1)
        lines = text.split("\n")
        shown.append(lines[1] if lines[0].startswith("(écrite en") else lines[0])
        reply = phone.send("3")
    raise AssertionError("the resident was never told that every proposal was seen")


def admin_get(client: TestClient, path: str) -> dict:
    response = client.get(path, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert response.status_code == 200, response.text
    return response.json()


def results(client: TestClient) -> dict[str, dict]:
    """Results per proposal text, as the API's results route reports them."""
    data = admin_get(client, "/api/v1/consultations/test-city/results")
    return {p["text"]: p for p in data["proposals"]}


MORNING = datetime(2027, 3, 10, 8, 0, tzinfo=UTC)  # 9:00 in Mulhouse, the consultation open


def fake_clock(client: TestClient, start: datetime = MORNING) -> FakeClock:
    """Put the app's runtime on a clock the test moves on: the message limits' windows follow
    it, so a resident's minutes pass at no cost and never straddle a real minute's end."""
    clock = FakeClock(start)
    client.app.state.parlons.runtime.clock = clock
    return clock


async def kiosk_link(settings: Settings) -> str:
    """A social centre and a kiosk link for it, in the app's database: the link's code."""
    engine = db.create_engine(settings.database_url)
    try:
        centres = Centres(db.sessionmaker(engine), None)
        await centres.add("Centre social Drouot", "drouot")
        return await centres.add_secret_link("drouot", KIOSK)
    finally:
        await engine.dispose()


class ServerThread:
    """A real uvicorn server on a free loopback port, for tests that need real HTTP."""

    def __init__(self, app, port: int | None = None) -> None:  # noqa: ANN001
        import socket
        import threading

        import uvicorn

        if port is None:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
        self.port = port
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ServerThread:
        import time

        self.thread.start()
        # Starting loads the language model and migrates: slow on a busy machine, never a failure.
        deadline = time.monotonic() + 60
        while not self.server.started:
            assert time.monotonic() < deadline, "the test server did not start"
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
