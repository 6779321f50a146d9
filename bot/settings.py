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
    redis_url: str | None = None
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
    # Closing the loop (docs/broadcast.md): the secret that encrypts the contact addresses of
    # residents who asked to hear back. Set your own; losing it loses those addresses.
    contact_key: SecretStr = SecretStr("parlons-development-contact-key")
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
    telegram_bot_token: SecretStr | None = Field(
        None, validation_alias=_own_name("TELEGRAM_BOT_TOKEN")
    )


def secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value else None
