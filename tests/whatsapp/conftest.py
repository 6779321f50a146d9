"""WhatsApp's tests: the app with Twilio's REST credentials pointed at the fake Twilio, and
its buttons made by `parlons whatsapp-content`."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import Settings
from tests.conftest import ServerThread
from tests.fakes import FakeTwilio
from tests.whatsapp.helpers import make_contents, whatsapp_settings


@pytest.fixture
def wa_settings(
    settings: Settings,
    fake_twilio: FakeTwilio,
    parlons,
    monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
) -> Settings:
    whatsapp_settings(settings, fake_twilio)
    make_contents(parlons, monkeypatch, fake_twilio, settings.consultation)
    return settings


@pytest.fixture
def wa_client(wa_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(wa_settings)) as client:
        yield client


@pytest.fixture
def wa_live(wa_settings: Settings) -> Iterator[httpx.Client]:
    """The app on a loopback port: residents write to it while a broadcast runs here."""
    with ServerThread(create_app(wa_settings)) as server, httpx.Client(base_url=server.url) as http:
        yield http
