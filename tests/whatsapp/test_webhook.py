"""The WhatsApp webhook as Twilio calls it: its documented payloads with their own signatures,
the reply path of a button turn (REST once, even when Twilio delivers the webhook again; the
numbered text in TwiML when the REST API fails), a resident Twilio reports as blocked recorded
like STOP, and a voice note deleted at Twilio by ERASE."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import DEMO_CONSULTATION, Settings
from tests.conftest import PUBLIC_URL, WEBHOOKS, message_text, sign
from tests.fakes import FakeTwilio
from tests.whatsapp.helpers import WhatsApp, whatsapp_form


def fixture(name: str) -> tuple[dict[str, str], dict[str, Any]]:
    data = json.loads((WEBHOOKS / "twilio_whatsapp" / name).read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}, data


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("wa_01_text_turkish.json", "\n\nÖneri 1: "),  # any country's number, in Turkish
        ("wa_02_button_agree.json", "Choisissez votre langue"),  # a tap says no language
        ("wa_03_voice_note.json", "Pour répondre, touchez un bouton"),  # a vote is expected
        ("wa_04_location.json", "nous lisons les textes et écoutons les messages vocaux"),
    ],
)
def test_documented_payloads_with_their_own_signatures(
    settings: Settings, name: str, expected: str
) -> None:
    settings.public_url = "https://consult.example.org"
    settings.twilio_auth_token = "fixture-auth-token-not-real"
    settings.consultation = DEMO_CONSULTATION  # six languages
    form, notes = fixture(name)
    with TestClient(create_app(settings)) as client:
        if name in ("wa_03_voice_note.json", "wa_04_location.json"):  # a vote expected first
            first = {**form, "MessageSid": "SM" + "1" * 32, "NumMedia": "0", "Body": "Bonjour"}
            url = notes["_signature_url"]
            client.post(
                "/webhooks/twilio/whatsapp",
                data=first,
                headers={"X-Twilio-Signature": sign(url, first, notes["_auth_token"])},
            )
        headers = {"X-Twilio-Signature": notes["_x_twilio_signature"]}
        answer = client.post("/webhooks/twilio/whatsapp", data=form, headers=headers)
        assert answer.status_code == 200
        assert expected in message_text(answer.text), message_text(answer.text)
        form["Body"] = "STOP"  # a field changed after signing
        assert (
            client.post("/webhooks/twilio/whatsapp", data=form, headers=headers).status_code == 403
        )


def test_the_sms_webhook_hands_whatsapp_on_and_no_profile_name_is_kept(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    form = whatsapp_form("+33639980501", Body="Bonjour", ProfileName="Samira Benali")
    with TestClient(create_app(settings)) as client:
        sms_url = f"{PUBLIC_URL}/webhooks/twilio/sms"
        answer = client.post(
            "/webhooks/twilio/sms", data=form, headers={"X-Twilio-Signature": sign(sms_url, form)}
        )
    assert "1=D'accord" not in message_text(answer.text)  # not the SMS's way
    assert "*1* D'accord\n*2* Pas d'accord\n*3* Passer" in message_text(answer.text)
    assert "Samira" not in caplog.text and "639980501" not in caplog.text


def test_a_webhook_delivered_again_sends_its_buttons_once(
    wa_client: TestClient, fake_twilio: FakeTwilio
) -> None:
    resident = WhatsApp(wa_client, fake_twilio, "+33639980502")
    form = whatsapp_form("+33639980502", Body="Bonjour")
    first = resident.post(form)
    assert first[0].buttons == ["👍 D'accord", "👎 Pas d'accord", "⏭ Passer"]
    assert resident.post(form) == []  # the same MessageSid: answered, nothing sent again
    assert len(fake_twilio.whatsapp_to("+33639980502")) == 1
    assert fake_twilio.whatsapp_to("+33639980502")[0]["From"] == "whatsapp:+33199000042"


def test_when_twilios_rest_api_fails_the_choices_come_as_numbered_text(
    wa_client: TestClient, fake_twilio: FakeTwilio
) -> None:
    fake_twilio.failures["whatsapp:+33639980503"] = [(503, 20500)]
    resident = WhatsApp(wa_client, fake_twilio, "+33639980503")
    [seen] = resident.send("Bonjour")
    assert seen.buttons == []
    assert seen.text.endswith("*1* D'accord\n*2* Pas d'accord\n*3* Passer")
    [next_one] = resident.send("1")  # Twilio answers again: buttons
    assert next_one.buttons and next_one.text.startswith("Noté.")


def test_a_resident_twilio_reports_blocked_is_stopped_like_stop(
    wa_client: TestClient, fake_twilio: FakeTwilio
) -> None:
    resident = WhatsApp(wa_client, fake_twilio, "+33639980504")
    resident.send("Bonjour")
    status_url = f"{PUBLIC_URL}/webhooks/twilio/status"
    form = {
        "MessageSid": "SM" + "5" * 32,
        "MessageStatus": "failed",
        "ErrorCode": "63024",
        "To": "whatsapp:+33639980504",
        "From": "whatsapp:+33199000042",
        "AccountSid": "AC" + "e2" * 16,
        "ChannelPrefix": "whatsapp",
        "ApiVersion": "2010-04-01",
    }
    answer = wa_client.post(
        "/webhooks/twilio/status", data=form, headers={"X-Twilio-Signature": sign(status_url, form)}
    )
    assert answer.status_code == 204
    assert resident.send("1") == []  # silence until START, as after STOP
    assert resident.send("START")[0].text.startswith("Bon retour")


def test_erase_deletes_a_voice_note_where_it_lives_at_twilio(
    wa_client: TestClient, fake_twilio: FakeTwilio
) -> None:
    resident = WhatsApp(wa_client, fake_twilio, "+33639980505")
    resident.send("Bonjour")
    resident.send("idée")
    resident.voice(30)
    resident.tap("Envoyer")
    media = [m for m in fake_twilio.media]
    assert fake_twilio.deleted == []
    assert "Effacer" in resident.send("effacer")[0].text
    resident.tap("Oui, effacer")
    [deleted] = fake_twilio.deleted
    assert deleted.endswith(f"/Media/{media[0]}.json")
