"""The Twilio SMS webhook: signatures, re-deliveries, STOP across a restart, real fixtures."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import Settings
from tests.conftest import SMS_URL, WEBHOOKS, Phone, message_text, results, sign, sms_form

FOOD_AID = "Il faut renforcer l'aide alimentaire dans chaque quartier."


def total_votes(client: TestClient) -> int:
    return sum(p["votes"] for p in results(client).values())


def post(client: TestClient, form: dict[str, str], headers: dict[str, str]) -> int:
    return client.post("/webhooks/twilio/sms", data=form, headers=headers).status_code


def test_bonjour_reaches_a_proposal_in_the_first_reply(phone: Phone) -> None:
    reply = phone.send("Bonjour")
    assert "Proposition 1 : " + FOOD_AID in reply
    assert reply.endswith("1=D'accord 2=Pas d'accord 3=Passer")


@pytest.mark.parametrize(
    "headers",
    [
        {},  # no signature at all
        {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"},  # forged
    ],
    ids=["missing", "forged"],
)
def test_unsigned_or_forged_request_is_refused_and_changes_nothing(
    client: TestClient, phone: Phone, headers: dict[str, str]
) -> None:
    phone.send("Bonjour")
    assert post(client, sms_form(phone.number, "1"), headers) == 403
    assert total_votes(client) == 0
    # The session did not move either: the next real "1" votes on the first proposal.
    phone.send("1")
    assert results(client)[FOOD_AID]["agree"] == 1


def test_signature_over_other_fields_is_refused(client: TestClient, phone: Phone) -> None:
    phone.send("Bonjour")
    signed = sms_form(phone.number, "1")
    signature = sign(SMS_URL, signed)
    tampered = {**signed, "Body": "2"}
    assert post(client, tampered, {"X-Twilio-Signature": signature}) == 403
    assert total_votes(client) == 0


def test_without_a_twilio_token_every_request_is_refused(settings: Settings) -> None:
    settings.twilio_auth_token = None
    with TestClient(create_app(settings)) as client:
        form = sms_form("+33639980102", "Bonjour")
        assert post(client, form, {"X-Twilio-Signature": sign(SMS_URL, form)}) == 403


def test_the_same_message_sid_twice_counts_once(client: TestClient, phone: Phone) -> None:
    phone.send("Bonjour")
    first = phone.send("1", sid="SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
    again = phone.send("1", sid="SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
    assert again == first  # Twilio's retry gets the same answer...
    assert results(client)[FOOD_AID]["agree"] == 1  # ...and the vote is counted once
    assert total_votes(client) == 1


def test_stop_holds_across_a_restart_until_start(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        phone = Phone(client, "+33639980107")
        phone.send("Bonjour")
        assert "START" in phone.send("STOP")
        assert phone.send("1") == ""
    with TestClient(create_app(settings)) as client:  # a new process: sessions are gone
        phone = Phone(client, "+33639980107")
        assert phone.send("Bonjour") == ""
        assert phone.send("1") == ""
        assert total_votes(client) == 0
        assert "Proposition 1 : " + FOOD_AID in phone.send("Start")
        phone.send("1")
        assert results(client)[FOOD_AID]["agree"] == 1


def webhook_fixture(name: str) -> tuple[dict[str, str], dict[str, str]]:
    """A payload from tests/data/webhooks: the form fields, and the notes (keys starting with _)."""
    data = json.loads((WEBHOOKS / "twilio_sms" / name).read_text(encoding="utf-8"))
    form = {k: v for k, v in data.items() if not k.startswith("_")}
    notes = {k: v for k, v in data.items() if k.startswith("_")}
    return form, notes


@pytest.fixture
def fixture_client(settings: Settings) -> TestClient:
    # Sign as the fixtures were signed: their URL and their (fake) auth token.
    settings.public_url = "https://consult.example.org"
    settings.twilio_auth_token = "fixture-auth-token-not-real"
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("sms_02_vote_oui.json", "Proposition 1 : " + FOOD_AID),  # first text: welcome
        ("sms_07_stop.json", "Vous ne recevrez plus de messages."),
        ("sms_01_french_accents.json", "Bonjour ! Comment améliorer la vie"),
    ],
)
def test_real_twilio_payloads_with_their_own_signatures(
    fixture_client: TestClient, name: str, expected: str
) -> None:
    form, notes = webhook_fixture(name)
    response = fixture_client.post(
        "/webhooks/twilio/sms",
        data=form,
        headers={"X-Twilio-Signature": notes["_x_twilio_signature"]},
    )
    assert response.status_code == 200
    assert expected in message_text(response.text)


def test_a_real_payload_with_a_field_added_after_signing_is_refused(
    fixture_client: TestClient,
) -> None:
    form, notes = webhook_fixture("sms_02_vote_oui.json")
    form["Body"] = "non"
    headers = {"X-Twilio-Signature": notes["_x_twilio_signature"]}
    assert post(fixture_client, form, headers) == 403


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["stores"] == {"database": "ok", "sessions": "ok"}

