"""The bundled demo consultation, as `make run` serves it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.loader import read_consultation
from bot.app import create_app
from bot.settings import DEMO_CONSULTATION, Settings
from tests.conftest import Phone


def test_the_demo_consultation_is_valid_and_rich_enough() -> None:
    spec = read_consultation(DEMO_CONSULTATION)
    accepted = [p for p in spec.proposals if p.status == "accepted"]
    assert len(accepted) >= 30
    assert len({p.theme for p in accepted}) >= 8
    assert {p.language for p in accepted} > {"fr"}


def test_the_demo_runs_a_conversation(settings: Settings) -> None:
    settings.consultation = DEMO_CONSULTATION
    with TestClient(create_app(settings)) as client:
        phone = Phone(client, "+33639980150")
        assert "Mulhouse" in phone.send("Bonjour")
        assert "Proposition 2 : Il faut" in phone.send("1")
        assert "1=D'accord" in phone.send("n'importe quoi")
