"""Telegram: whole conversations from real update payloads, answered through a fake Bot API
(a real HTTP server), checked by what the resident's chat shows and what the API counts."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.cli import main
from bot.settings import Settings
from tests.conftest import TELEGRAM_TOKEN as BOT_TOKEN
from tests.conftest import results
from tests.fakes import FakeTelegram
from tests.telegram.chat import SECRET, TelegramChat, fixture, texts, votes

FOOD_AID = "Il faut renforcer l'aide alimentaire dans chaque quartier."
NADIA = 5829301174  # the user of the fixtures


@pytest.fixture
def nadia(client: TestClient, fake_telegram: FakeTelegram) -> TelegramChat:
    return TelegramChat(client, fake_telegram, NADIA)


def test_a_vote_by_button(
    client: TestClient, fake_telegram: FakeTelegram, nadia: TelegramChat
) -> None:
    [welcome] = nadia.say("Bonjour")
    assert welcome.method == "sendMessage"
    assert "Proposition 1 : " + FOOD_AID in welcome.text
    assert [b["text"] for b in welcome.buttons] == ["👍 D'accord", "👎 Pas d'accord", "⏭ Passer"]
    assert all(len(b["callback_data"].encode()) <= 64 for b in welcome.buttons)

    calls = nadia.press("D'accord")
    assert [c.method for c in calls] == ["answerCallbackQuery", "editMessageText", "sendMessage"]
    edited = calls[1]
    assert int(edited.params["message_id"]) == welcome.message_id
    assert edited.text.endswith("✓ <b>👍 D'accord</b>")
    assert "reply_markup" not in edited.params  # the buttons are gone: no second press
    assert calls[2].text.startswith("Noté.")
    assert results(client)[FOOD_AID]["agree"] == 1


def test_a_redelivered_press_counts_once(
    client: TestClient, fake_telegram: FakeTelegram, nadia: TelegramChat
) -> None:
    nadia.say("Bonjour")
    press = nadia.press_update("D'accord")
    first = nadia.post(press)
    again = nadia.post(press)  # Telegram did not get our 200 and sends the update again
    assert results(client)[FOOD_AID]["agree"] == 1
    assert votes(client) == 1
    # The resident still gets the answer (the first sending may have failed).
    assert texts(again) == texts(first)


def test_an_old_button_pressed_again_changes_nothing(
    client: TestClient, fake_telegram: FakeTelegram, nadia: TelegramChat
) -> None:
    [question] = nadia.say("Bonjour")
    nadia.say("2")  # answered by text: the buttons stayed on the message
    calls = nadia.press("D'accord", message=question)
    assert results(client)[FOOD_AID]["disagree"] == 1
    assert results(client)[FOOD_AID]["agree"] == 0
    # Not marked as chosen, but no longer pressable.
    assert [c.method for c in calls][:2] == ["answerCallbackQuery", "editMessageReplyMarkup"]
    assert "reply_markup" not in calls[1].params
    assert "déjà" in texts(calls)  # "That question is already answered."


def test_a_double_tap_counts_once_and_keeps_the_choice_shown(
    client: TestClient, fake_telegram: FakeTelegram, nadia: TelegramChat
) -> None:
    [question] = nadia.say("Bonjour")
    first = nadia.press_update("D'accord", message=question)
    second = nadia.press_update("D'accord", message=question)  # sent before our edit landed
    nadia.post(first)
    calls = nadia.post(second)
    assert results(client)[FOOD_AID]["agree"] == 1
    assert votes(client) == 1
    assert "editMessageText" not in [c.method for c in calls]  # "✓ D'accord" stays


def test_data_we_never_sent_is_answered_and_changes_nothing(
    client: TestClient, nadia: TelegramChat
) -> None:
    nadia.say("Bonjour")
    forged = nadia.press_update("D'accord")
    forged["callback_query"]["data"] = "v:3:a"  # the fixture's own data: not ours
    calls = nadia.post(forged)
    assert calls[0].method == "answerCallbackQuery"
    assert votes(client) == 0


@pytest.mark.parametrize("secret", [None, "not-the-secret"], ids=["missing", "forged"])
def test_a_request_without_the_secret_is_refused_and_changes_nothing(
    client: TestClient, fake_telegram: FakeTelegram, nadia: TelegramChat, secret: str | None
) -> None:
    nadia.say("Bonjour")
    update = nadia.press_update("D'accord")
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
    before = len(fake_telegram.calls)
    response = client.post("/webhooks/telegram", json=update, headers=headers)
    assert response.status_code == 403
    assert len(fake_telegram.calls) == before
    assert votes(client) == 0
    nadia.post(update)  # the real one still counts
    assert votes(client) == 1


def test_without_a_secret_set_every_request_is_refused(telegram_settings: Settings) -> None:
    telegram_settings.telegram_secret = None
    with TestClient(create_app(telegram_settings)) as client:
        update = fixture("tg_01_text.json")
        response = client.post(
            "/webhooks/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": ""}
        )
        assert response.status_code == 403


def test_stop_and_blocking(
    client: TestClient, fake_telegram: FakeTelegram, nadia: TelegramChat
) -> None:
    nadia.say("Bonjour")
    assert "START" in texts(nadia.say("STOP"))
    assert nadia.say("1") == []  # silence, and no vote
    assert votes(client) == 0
    assert "Proposition" in texts(nadia.say("/start"))

    karim = TelegramChat(client, fake_telegram, 6100000002)
    karim.say("Bonjour")
    assert karim.block() == []  # Telegram refuses messages to a user who blocked us
    assert karim.say("1") == []  # and blocking was a STOP
    assert votes(client) == 0


def test_a_voice_note_is_an_idea(client: TestClient, nadia: TelegramChat) -> None:
    nadia.say("Bonjour")
    explained = nadia.voice("AwACAgQAAxkBvoice-note-early")  # a vote is expected: the buttons
    assert "envoyez d'abord IDEE" in texts(explained)
    nadia.say("idée")
    read_back = nadia.voice("AwACAgQAAxkBvoice-note-id")
    assert "message vocal" in texts(read_back)
    assert "Envoyer" in [b["text"] for b in read_back[-1].buttons]
    nadia.press("Envoyer")
    pending = client.get(
        "/api/v1/consultations/test-city/proposals",
        params={"status": "pending"},
        headers={"Authorization": "Bearer test-admin-token"},
    ).json()
    [idea] = [p for p in pending if p["channel"] == "telegram"]
    assert "audio" in idea["flags"]


def test_photos_groups_and_edits(
    client: TestClient, fake_telegram: FakeTelegram, nadia: TelegramChat
) -> None:
    nadia.say("Bonjour")
    assert "texte" in texts(nadia.photo())  # "we can only read text"

    group = fixture("tg_01_text.json")
    group["message"]["chat"] = {"id": -100123, "type": "group", "title": "Voisins"}
    [line] = nadia.post(group)
    assert int(line.params["chat_id"]) == -100123
    assert "privé" in line.text

    edited = fixture("tg_01_text.json")
    edited["update_id"] += 77
    edited["edited_message"] = edited.pop("message")
    assert nadia.post(edited) == []


def test_polling_answers_without_a_webhook(
    telegram_settings: Settings, fake_telegram: FakeTelegram
) -> None:
    import time

    telegram_settings.telegram_polling = True
    fake_telegram.updates.append(fixture("tg_01_text.json"))
    with TestClient(create_app(telegram_settings)):
        deadline = time.monotonic() + 20
        while not fake_telegram.messages(NADIA):
            assert time.monotonic() < deadline, "no answer by polling"
            time.sleep(0.05)
    assert fake_telegram.of("deleteWebhook")
    assert fake_telegram.messages(NADIA)[0].buttons


def test_no_telegram_id_nor_bot_token_in_the_logs(
    client: TestClient, nadia: TelegramChat, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    nadia.say("Bonjour")
    nadia.press("D'accord")
    nadia.say("STOP")
    logged = caplog.text
    assert str(NADIA) not in logged
    assert BOT_TOKEN not in logged
    assert BOT_TOKEN.split(":")[1] not in logged


def test_parlons_points_the_webhook_with_its_secret(
    telegram_settings: Settings,
    fake_telegram: FakeTelegram,
    monkeypatch: pytest.MonkeyPatch,
    capsys,
) -> None:
    for name in ("database_url", "public_url", "telegram_api_url"):
        monkeypatch.setenv(f"PARLONS_{name.upper()}", getattr(telegram_settings, name))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("PARLONS_TELEGRAM_SECRET", SECRET)
    main(["telegram-webhook"])
    [call] = fake_telegram.of("setWebhook")
    assert call.params["url"] == "https://parlons.example.org/webhooks/telegram"
    assert call.params["secret_token"] == SECRET
    assert "callback_query" in call.params["allowed_updates"]
    assert "https://parlons.example.org/webhooks/telegram" in capsys.readouterr().out
