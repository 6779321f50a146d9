"""Every setting Parlons reads, in one place. No other module reads the environment."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEMO_CONSULTATION = Path(str(files("api") / "demo" / "mulhouse.yaml"))


def _own_name(name: str) -> AliasChoices:
    # Twilio's and Telegram's variables keep the names their consoles and docs use.
    return AliasChoices(name, f"PARLONS_{name}")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PARLONS_", extra="ignore", populate_by_name=True, validate_assignment=True
    )

    public_url: str = "http://127.0.0.1:8000"
    database_url: str = "sqlite+aiosqlite:///var/parlons.db"
    session_days: float = 30  # a conversation silent this long starts again
    pseudonym_key: SecretStr = SecretStr("parlons-development-pseudonym-key")
    consultation: Path = DEMO_CONSULTATION
    admin_token: SecretStr | None = None
    api_url: str | None = None
    api_token: SecretStr | None = None
    # SMS in these languages lose the letters GSM-7 lacks (â -> a): half the segments.
    sms_plain_languages: list[str] = ["fr", "de", "en", "pt", "tr"]
    # Channels where a vote is followed by "a favourite / realistic / a platitude?" (each
    # question is one more SMS, so not SMS by default).
    qualify_channels: list[str] = ["telegram"]
    # Production (docs/deploy.md): with a Redis URL, sessions, locks, re-delivery keys and the
    # outbox of API writes live in Redis, and `parlons worker` posts the outbox to the API.
    redis_url: str | None = None
    redis_prefix: str = "parlons:"  # every key starts with it: several Parlons, one Redis
    replay_hours: float = 24  # a message re-delivered within this time gets the same answer
    outbox_batch: int = 500  # ballots per post to the API (at most the API's 500)
    # Closing the loop (docs/broadcast.md): the secret that encrypts the contact addresses of
    # residents who asked to hear back. Set your own; losing it loses those addresses.
    contact_key: SecretStr = SecretStr("parlons-development-contact-key")
    # `parlons broadcast` and idea notices (docs/broadcast.md). Twilio's REST host can be
    # replaced (a local fake in the tests); no message between the quiet hours (local time of
    # the consultation; "" for none); at most so many messages a second on each channel.
    twilio_api_url: str | None = None
    quiet_hours: str = "21:00-09:00"
    send_rates: dict[str, float] = {"sms": 10, "telegram": 20, "voice": 1}
    send_retries: int = 3
    # The staff web page (bot/web): the key that seals its sign-in cookies (unset: derived
    # from the pseudonym key, so every worker agrees), and how long a sign-in lasts.
    web_secret: SecretStr | None = None
    web_session_hours: float = 8
    telegram_api_url: str = "https://api.telegram.org"
    telegram_secret: SecretStr | None = None

    twilio_auth_token: SecretStr | None = Field(
        None, validation_alias=_own_name("TWILIO_AUTH_TOKEN")
    )
    twilio_account_sid: str | None = Field(None, validation_alias=_own_name("TWILIO_ACCOUNT_SID"))
    twilio_messaging_service_sid: str | None = Field(
        None, validation_alias=_own_name("TWILIO_MESSAGING_SERVICE_SID")
    )
    twilio_caller_id: str | None = Field(None, validation_alias=_own_name("TWILIO_CALLER_ID"))
    telegram_bot_token: SecretStr | None = Field(
        None, validation_alias=_own_name("TELEGRAM_BOT_TOKEN")
    )


def secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value else None
