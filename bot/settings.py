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
    # Telegram (docs/telegram.md): the Bot API's base URL (tests point it at a fake), the
    # webhook's secret, the bot's @username for the deep links handed out, and polling
    # instead of the webhook for local use (`parlons serve --telegram-polling`).
    telegram_api_url: str = "https://api.telegram.org"
    telegram_secret: SecretStr | None = None
    telegram_bot_username: str | None = None
    telegram_polling: bool = False

    twilio_auth_token: SecretStr | None = Field(
        None, validation_alias=_own_name("TWILIO_AUTH_TOKEN")
    )
    twilio_account_sid: str | None = Field(None, validation_alias=_own_name("TWILIO_ACCOUNT_SID"))
    telegram_bot_token: SecretStr | None = Field(
        None, validation_alias=_own_name("TELEGRAM_BOT_TOKEN")
    )


def secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value else None
