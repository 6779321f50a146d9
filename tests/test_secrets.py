"""Secrets: refused in production when anyone could guess them, and never in a log line or an
error page."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import InsecureSettings, Settings
from tests.conftest import ADMIN_TOKEN, AUTH_TOKEN, BOT_TOKEN, SMS_URL, Phone, sign, sms_form

STRONG = "s3cret-value-nobody-guesses-0123456789"


def strong(**overrides: str) -> dict[str, str]:
    given = {
        "PARLONS_ENV": "production",
        "PARLONS_PSEUDONYM_KEY": STRONG + "-pseudonyms",
        "PARLONS_CONTACT_KEY": STRONG + "-contacts",
        "PARLONS_ADMIN_TOKEN": STRONG + "-admin",
        "TWILIO_AUTH_TOKEN": STRONG + "-twilio",
    }
    return {**given, **overrides}


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"PARLONS_PSEUDONYM_KEY": ""}, "PARLONS_PSEUDONYM_KEY"),  # unset: the default key
        (
            {"PARLONS_PSEUDONYM_KEY": "parlons-development-pseudonym-key"},
            "PARLONS_PSEUDONYM_KEY",
        ),
        ({"PARLONS_ADMIN_TOKEN": ""}, "PARLONS_ADMIN_TOKEN"),  # set, but empty
        ({"TWILIO_AUTH_TOKEN": "   "}, "TWILIO_AUTH_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": "123:short"}, "TELEGRAM_BOT_TOKEN"),
    ],
)
def test_production_refuses_a_default_empty_or_short_secret(
    monkeypatch: pytest.MonkeyPatch, overrides: dict[str, str], named: str
) -> None:
    for name, value in strong(**overrides).items():
        if name == "PARLONS_PSEUDONYM_KEY" and value == "":
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    with pytest.raises(InsecureSettings) as refused:
        Settings()
    assert named in str(refused.value)
    assert STRONG not in str(refused.value)  # names the variables, never the values


def test_production_starts_with_strong_secrets_and_development_with_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in strong().items():
        monkeypatch.setenv(name, value)
    assert Settings().env == "production"
    monkeypatch.setenv("PARLONS_ENV", "development")
    monkeypatch.delenv("PARLONS_PSEUDONYM_KEY")
    assert Settings().env == "development"


def test_parlons_serve_in_production_with_a_default_key_stops_with_a_clear_line() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARLONS_", "TWILIO_"))}
    env.update(PARLONS_ENV="production", PARLONS_ADMIN_TOKEN=STRONG)
    run = subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve", "--port", "9"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert "refuses to start" in run.stderr and "PARLONS_PSEUDONYM_KEY" in run.stderr
    assert "Traceback" not in run.stderr
    assert STRONG not in run.stderr + run.stdout


def test_no_secret_in_any_log_line_or_error_page(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings.telegram_bot_token = "123456:" + STRONG
    secrets = [ADMIN_TOKEN, AUTH_TOKEN, BOT_TOKEN, "test-pseudonym-key", STRONG]
    caplog.set_level(logging.DEBUG)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        phone = Phone(client, "+33639980160")
        phone.send("Bonjour")
        phone.send("1")
        # A library logging a request URL with the bot token in it, as httpx does for the
        # Telegram Bot API, and an error quoting it.
        url = f"https://api.telegram.org/bot{settings.telegram_bot_token.get_secret_value()}/x"
        logging.getLogger("httpx").info('HTTP Request: POST %s "HTTP/1.1 200 OK"', url)
        try:
            raise RuntimeError(f"Client error '404 Not Found' for url '{url}'")
        except RuntimeError:
            logging.getLogger("telegram").exception("sending failed")

        # An error inside a turn, quoting a secret: the page says nothing of it.
        async def broken(*_args: object) -> None:
            raise RuntimeError(f"the store said no to {ADMIN_TOKEN}")

        client.app.state.parlons.runtime.api.cast_ballots = broken
        form = sms_form(phone.number, "2")
        page = client.post(
            "/webhooks/twilio/sms", data=form, headers={"X-Twilio-Signature": sign(SMS_URL, form)}
        )
        assert not any(s in page.text for s in secrets), page.text
        admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        for bad in ("/api/v1/consultations/nowhere/results", "/api/v1/nothing"):
            answer = client.get(bad, headers=admin).text
            assert not any(s in answer for s in secrets), answer
    logged = caplog.text + "".join(r.getMessage() for r in caplog.records)
    assert "sending failed" in logged and "HTTP Request" in logged
    for value in secrets:
        assert value not in logged, value
