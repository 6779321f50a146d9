"""Hostile input: what a prankster or a script sends is cleaned before it is stored, escaped
where it is shown, bounded in size, and answered clearly."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from api.schemas import IdeaIn, ProposalSpec
from api.text import clean_text
from bot.app import create_app
from bot.settings import Settings
from tests.conftest import ADMIN_TOKEN, BOT_TOKEN, SMS_URL, Phone, admin_get, sign, sms_form

BASE = "/api/v1/consultations/test-city"


@pytest.mark.parametrize(
    ("given_text", "stored"),
    [
        ("Cafe\u0301 solidaire", "Café solidaire"),  # NFC: one "é", as a search expects
        ("Plus de \u202ecnab\u202c", "Plus de cnab"),  # a right-to-left override
        ("ST\u200bOP la pollution", "STOP la pollution"),  # a zero-width space
        ("bip\x07\x00 bip\x1b[31m", "bip bip[31m"),  # control characters
        ("\ufeffdeux\r\nlignes\r", "deux\nlignes"),  # BOM, Windows line breaks
        ("  un\t parc  ", "un  parc"),
        # Kept: emoji joined by ZWJ, the Persian ZWNJ, a right-to-left mark before digits.
        ("👩\u200d👩\u200d👧 می\u200cخواهم \u200f15", "👩\u200d👩\u200d👧 می\u200cخواهم \u200f15"),
        ("حدائق أكثر في بورتزفيلر", "حدائق أكثر في بورتزفيلر"),
    ],
)
def test_text_is_cleaned_before_it_is_stored(given_text: str, stored: str) -> None:
    assert clean_text(given_text) == stored


@given(st.text())
def test_cleaning_is_stable_and_leaves_nothing_hidden(text: str) -> None:
    cleaned = clean_text(text)
    assert clean_text(cleaned) == cleaned
    assert not any(c in cleaned for c in "\x00\x1b\u202e\u2066\u200b\ufeff\r")


def test_every_text_a_person_wrote_is_cleaned_by_the_schemas() -> None:
    idea = IdeaIn(
        participant="participant-ref",
        text="\u202eUn banc\x00",
        language="fr",
        channel="sms",
        idempotency_key="sms:SM1:0",
    )
    assert idea.text == "Un banc"
    spec = ProposalSpec(
        key="k", text="Un parc\u200b", language="fr", translations={"en": "A par\u0301k"}
    )
    assert (spec.text, spec.translations["en"]) == ("Un parc", clean_text("A par\u0301k"))
    with pytest.raises(ValidationError):  # nothing visible left: not an idea
        IdeaIn(
            participant="participant-ref",
            text="\u202e\u200b",
            language="fr",
            channel="sms",
            idempotency_key="sms:SM2:0",
        )


def test_an_idea_sent_over_http_is_stored_clean(client: TestClient) -> None:
    idea = {
        "participant": "participant-ref-http",
        "text": "Des\u202e bancs\x1b",
        "language": "fr",
        "channel": "telegram",
        "idempotency_key": "telegram:1:0",
    }
    bot = {"Authorization": f"Bearer {BOT_TOKEN}"}
    stored = client.post(f"{BASE}/ideas", json=idea, headers=bot)
    assert stored.status_code == 201, stored.text
    assert stored.json()["text"] == "Des bancs"
    invisible = {**idea, "text": "\u2066\u2069", "idempotency_key": "telegram:2:0"}
    assert client.post(f"{BASE}/ideas", json=invisible, headers=bot).status_code == 422


def test_an_idea_by_sms_with_markup_and_controls_is_read_back_and_stored_safely(
    phone: Phone, client: TestClient
) -> None:
    phone.send("Bonjour")
    phone.send("idée")
    read_back = phone.send('<b>Un "parc"</b> & des jeux \x1b\u202e ici')
    # The resident reads their words as written (TwiML escaped them, message_text unescaped).
    assert '<b>Un "parc"</b> & des jeux' in read_back
    assert "Un modérateur" in phone.send("1")
    [pending] = admin_get(client, f"{BASE}/proposals?status=pending")
    assert pending["text"] == '<b>Un "parc"</b> & des jeux  ici'


def test_an_idea_with_no_words_is_asked_again(phone: Phone, client: TestClient) -> None:
    phone.send("Bonjour")
    prompt = phone.send("idée")
    assert phone.send("\u200b\u202e") == prompt  # nothing to read back: the prompt again
    assert phone.send("🌳🌳🌳") == prompt
    assert admin_get(client, f"{BASE}/proposals?status=pending") == []


def test_a_message_longer_than_the_channel_reads_is_answered_with_the_limit(
    settings: Settings,
) -> None:
    settings.max_text_length = {"sms": 300}
    with TestClient(create_app(settings)) as client:
        phone = Phone(client, "+33639980150")
        reply = phone.send("Bonjour " + "très " * 100)
        assert reply == (
            "Votre message fait 508 caractères ; nous en lisons au plus 300. "
            "Merci d'en envoyer un plus court."
        )
        assert "Proposition 1" in phone.send("Bonjour")  # nothing else changed


def _post_sms(client: TestClient, **kwargs: object) -> int:
    return client.post("/webhooks/twilio/sms", **kwargs).status_code


def test_a_webhook_body_over_the_limit_gets_413_unread(settings: Settings) -> None:
    settings.webhook_max_bytes = 4096
    with TestClient(create_app(settings)) as client:
        form = sms_form("+33639980151", "1" * 5000)
        signed = {"X-Twilio-Signature": sign(SMS_URL, form)}
        assert _post_sms(client, data=form, headers=signed) == 413
        # Sent in chunks with no length declared: counted as it comes.
        chunks = (b"Body=" + b"1" * 1000 for _ in range(5))
        as_form = {**signed, "Content-Type": "application/x-www-form-urlencoded"}
        assert _post_sms(client, content=chunks, headers=as_form) == 413
        # Within the limit, the same resident is answered as usual.
        assert "Proposition 1" in Phone(client, "+33639980151").send("Bonjour")
        # The API's own routes are not webhooks: a moderator's long reason is fine.
        results = client.get(f"{BASE}/results", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        assert results.status_code == 200
