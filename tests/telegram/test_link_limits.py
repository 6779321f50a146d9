"""Abuse limits on the links that make new participants: a mediator's tablet on Telegram and
a centre's kiosk page each bring so many new people a minute."""

from __future__ import annotations

import asyncio

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import Settings
from tests.conftest import fake_clock, kiosk_link
from tests.fakes import FakeTelegram
from tests.telegram.chat import MEDIATOR, TelegramChat, mediator_link, participants, texts


@pytest.fixture
def two_a_minute(telegram_settings: Settings) -> Settings:
    telegram_settings.participants_per_minute = 2
    return telegram_settings


def test_a_mediator_link_brings_so_many_new_people_a_minute(
    two_a_minute: Settings,
    client: TestClient,
    fake_telegram: FakeTelegram,
    parlons,  # noqa: ANN001
) -> None:
    fake_clock(client)  # the minute never ends mid-test
    tablet = TelegramChat(client, fake_telegram, MEDIATOR)
    tablet.start(mediator_link(parlons))
    for number in (1, 2):
        assert f"Personne {number} :" in texts(tablet.say("➕ Nouvelle personne"))
        tablet.press("Français")
    refused = texts(tablet.say("➕ Nouvelle personne"))
    assert "Beaucoup de nouvelles personnes en une minute" in refused
    assert participants(client) == 2


def test_a_kiosk_link_brings_so_many_new_people_a_minute(settings: Settings) -> None:
    settings.participants_per_minute = 2
    with TestClient(create_app(settings)) as kiosk:
        fake_clock(kiosk)
        code = asyncio.run(kiosk_link(settings))
        for _ in range(2):
            assert kiosk.post(f"/kiosk/{code}/start", data={"language": "fr"}).status_code == 200
        busy = kiosk.post(f"/kiosk/{code}/start", data={"language": "fr"})
        assert busy.status_code == 429
        assert "Beaucoup de nouvelles personnes en une minute" in busy.text
        assert participants(kiosk) == 2
