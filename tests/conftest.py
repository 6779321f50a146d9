"""Shared test fixtures: the real app, real signed Twilio requests, a real SQLite file."""

from __future__ import annotations

import itertools
import os
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from twilio.request_validator import RequestValidator

from bot.app import create_app
from bot.settings import Settings

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[2] / "shared"
AUTH_TOKEN = "test-twilio-auth-token"
ADMIN_TOKEN = "test-admin-token"
BOT_TOKEN = "test-bot-token"
PUBLIC_URL = "https://parlons.example.org"
SMS_URL = f"{PUBLIC_URL}/webhooks/twilio/sms"
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


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/parlons.db",
        public_url=PUBLIC_URL,
        consultation=DATA / "consultation.yaml",
        pseudonym_key="test-pseudonym-key",
        admin_token=ADMIN_TOKEN,
        api_token=BOT_TOKEN,
        twilio_auth_token=AUTH_TOKEN,
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


def new_sid() -> str:
    return f"SM{next(_sids):032x}"


def sms_form(number: str, body: str, sid: str | None = None) -> dict[str, str]:
    """The fields Twilio posts for an inbound SMS (see shared/fixtures/twilio_sms)."""
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


def admin_get(client: TestClient, path: str) -> dict:
    response = client.get(path, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert response.status_code == 200, response.text
    return response.json()


def results(client: TestClient) -> dict[str, dict]:
    """Results per proposal text, as the API's results route reports them."""
    data = admin_get(client, "/api/v1/consultations/test-city/results")
    return {p["text"]: p for p in data["proposals"]}


class ServerThread:
    """A real uvicorn server on a free loopback port, for tests that need real HTTP."""

    def __init__(self, app) -> None:  # noqa: ANN001
        import socket
        import threading

        import uvicorn

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ServerThread:
        import time

        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "the test server did not start"
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
