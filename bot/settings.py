"""Every setting Parlons reads, in one place. No other module reads the environment."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

DEMO_CONSULTATION = Path(str(files("api") / "demo" / "mulhouse.yaml"))
DEV_KEY = "parlons-development-pseudonym-key"
MIN_SECRET_LENGTH = 16
SECRETS = {  # field: the variable that sets it
    "pseudonym_key": "PARLONS_PSEUDONYM_KEY",
    "admin_token": "PARLONS_ADMIN_TOKEN",
    "api_token": "PARLONS_API_TOKEN",
    "telegram_secret": "PARLONS_TELEGRAM_SECRET",
    "twilio_auth_token": "TWILIO_AUTH_TOKEN",
    "telegram_bot_token": "TELEGRAM_BOT_TOKEN",
}


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
    pseudonym_key: SecretStr = SecretStr(DEV_KEY)
    consultation: Path = DEMO_CONSULTATION
    admin_token: SecretStr | None = None
    api_url: str | None = None
    api_token: SecretStr | None = None
    # SMS in these languages lose the letters GSM-7 lacks (â -> a): half the segments.
    sms_plain_languages: list[str] = ["fr", "de", "en", "pt", "tr"]
    # Channels where a vote is followed by "a favourite / realistic / a platitude?" (each
    # question is one more SMS, so not SMS by default).
    qualify_channels: list[str] = ["telegram"]
    telegram_api_url: str = "https://api.telegram.org"
    telegram_secret: SecretStr | None = None

    twilio_auth_token: SecretStr | None = Field(
        None, validation_alias=_own_name("TWILIO_AUTH_TOKEN")
    )
    twilio_account_sid: str | None = Field(None, validation_alias=_own_name("TWILIO_ACCOUNT_SID"))
    telegram_bot_token: SecretStr | None = Field(
        None, validation_alias=_own_name("TELEGRAM_BOT_TOKEN")
    )

    # Hostile input and abuse (docs/faults.md). The longest message read, per channel: Twilio
    # joins at most 1,600 characters, Telegram 4,096; beyond, the resident is told the limit.
    max_text_length: dict[str, int] = {"sms": 1600, "telegram": 4096, "voice": 1000}
    webhook_max_bytes: int = 256 * 1024  # a larger body gets 413, unread

    # "production" refuses to start with a default, empty or short secret.
    env: Literal["development", "production"] = "development"

    def model_post_init(self, _context: object) -> None:
        # Not a pydantic validator: its error would quote every input, the secrets with them.
        if self.env == "production" and (weak := self.weak_secrets()):
            raise InsecureSettings(
                "PARLONS_ENV=production refuses to start: set a secret of at least "
                f"{MIN_SECRET_LENGTH} characters in {', '.join(weak)}"
            )

    def weak_secrets(self) -> list[str]:
        """The variables whose secret is empty, too short or the development default."""
        weak = []
        for field, variable in SECRETS.items():
            given: SecretStr | None = getattr(self, field)
            value = None if given is None else given.get_secret_value()
            # Unset is allowed (that feature is then off) but for the pseudonym key; set to
            # "" it is not: someone meant to set it.
            if value is None and field != "pseudonym_key":
                continue
            if value is None or len(value.strip()) < MIN_SECRET_LENGTH or value == DEV_KEY:
                weak.append(variable)
        return weak

    def secret_values(self) -> list[str]:
        """Every secret's value, passwords in the store URLs too: to keep out of the logs."""
        values = [secret(getattr(self, field)) or "" for field in SECRETS]
        for url in (self.database_url, self.redis_url):
            values.append((url and make_url(url).password) or "")
        return [v for v in values if v]


class InsecureSettings(RuntimeError):
    """Production settings with a secret anyone could guess."""


def secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value else None
