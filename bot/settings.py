"""Every setting Parlons reads, in one place. No other module reads the environment."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Literal

from pydantic import (
    AliasChoices,
    Field,
    PositiveInt,
    SecretStr,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from channels.base import BUTTON

DEMO_CONSULTATION = Path(str(files("api") / "demo" / "mulhouse.yaml"))
DEV_KEY = "parlons-development-pseudonym-key"
MIN_SECRET_LENGTH = 16
SECRETS = {  # field: the variable that sets it
    "pseudonym_key": "PARLONS_PSEUDONYM_KEY",
    "contact_key": "PARLONS_CONTACT_KEY",
    "web_secret": "PARLONS_WEB_SECRET",
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
    # Production (docs/deploy.md): with a Redis URL, sessions, locks, re-delivery keys and the
    # outbox of API writes live in Redis, and `parlons worker` posts the outbox to the API.
    redis_url: str | None = None
    redis_prefix: str = "parlons:"  # every key starts with it: several Parlons, one Redis
    replay_hours: float = 24  # a message re-delivered within this time gets the same answer
    outbox_batch: int = 500  # ballots per post to the API (at most the API's 500)
    outbox_lease_seconds: float = 15  # a killed worker's standby takes over after this
    # Closing the loop (docs/broadcast.md): the secret that encrypts the contact addresses of
    # residents who asked to hear back. Set your own; losing it loses those addresses.
    contact_key: SecretStr = SecretStr("parlons-development-contact-key")
    # `parlons broadcast` and idea notices (docs/broadcast.md). Twilio's REST host can be
    # replaced (a local fake in the tests); no message between the quiet hours (local time of
    # the consultation; "" for none); at most so many messages a second on each channel.
    twilio_api_url: str | None = None
    quiet_hours: str = "21:00-09:00"
    send_rates: dict[str, float] = {"sms": 10, "telegram": 20, "voice": 1, "whatsapp": 20}
    send_retries: int = 3
    # The staff web page (bot/web): the key that seals its sign-in cookies (unset: derived
    # from the pseudonym key, so every worker agrees), and how long a sign-in lasts.
    web_secret: SecretStr | None = None
    # "Session" is a resident's conversation only: a staff member signs in (the variable keeps
    # the name it was published with).
    web_sign_in_hours: float = Field(
        8, validation_alias=AliasChoices("PARLONS_WEB_SESSION_HOURS", "web_sign_in_hours")
    )
    # `parlons serve`: the addresses whose X-Forwarded-Proto and X-Forwarded-For uvicorn trusts
    # (its forwarded-allow-ips): your load balancer's, comma-separated; "*" trusts anyone who
    # can reach the port. The staff cookie is Secure whenever public_url is https regardless.
    forwarded_allow_ips: str = "127.0.0.1"
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
    twilio_messaging_service_sid: str | None = Field(
        None, validation_alias=_own_name("TWILIO_MESSAGING_SERVICE_SID")
    )
    twilio_caller_id: str | None = Field(None, validation_alias=_own_name("TWILIO_CALLER_ID"))
    # WhatsApp (README, "WhatsApp"): the WhatsApp sender messages we start come from
    # ("whatsapp:+3319..."); unset, the Messaging Service's. Replies come from the number the
    # resident wrote to.
    twilio_whatsapp_from: str | None = Field(
        None, validation_alias=_own_name("TWILIO_WHATSAPP_FROM")
    )
    # A voice message longer than this, or larger, is not taken: the resident is told the
    # limit. Its length is read from the file (mutagen).
    voice_note_max_seconds: PositiveInt = 180
    voice_note_max_bytes: PositiveInt = 4 * 1024 * 1024
    telegram_bot_token: SecretStr | None = Field(
        None, validation_alias=_own_name("TELEGRAM_BOT_TOKEN")
    )

    # Hostile input and abuse (docs/faults.md). The longest message read, per channel: Twilio
    # joins at most 1,600 characters, Telegram 4,096; beyond, the resident is told the limit.
    max_text_length: dict[str, int] = {
        "sms": 1600,
        "telegram": 4096,
        "voice": 1000,
        "whatsapp": 1600,
    }
    webhook_max_bytes: int = 256 * 1024  # a larger body gets 413, unread
    # Messages a resident may send, per channel for free text ("sms") and per channel and
    # kind for a button or a keypad answer ("telegram:button"): above what a person answering
    # as fast as they can sends (README, "Message limits", has the arithmetic). A channel not
    # listed gets the strictest; entries given replace those entries only. The first message
    # over a limit is told when the resident can go on; STOP always passes.
    messages_per_minute: dict[str, PositiveInt] = {
        "sms": 20,
        "voice": 60,
        "voice:button": 120,
        "telegram": 60,
        "telegram:button": 120,
        "kiosk": 60,
        "kiosk:button": 120,
        "whatsapp": 40,
        "whatsapp:button": 60,
    }
    messages_per_day: dict[str, PositiveInt] = {
        "sms": 500,
        "voice": 1000,
        "voice:button": 3000,
        "telegram": 1000,
        "telegram:button": 3000,
        "kiosk": 1000,
        "kiosk:button": 3000,
        "whatsapp": 1000,
        "whatsapp:button": 2000,
    }
    # A shared device (a kiosk link, a mediator's tablet): all its residents together.
    device_messages_per_minute: PositiveInt = 240
    device_messages_per_day: PositiveInt = 30000
    ideas_per_day: int = 10
    participants_per_minute: int = 10  # new people from one mediator or kiosk link
    # Phone numbers answered: E.164 prefixes (a reply abroad costs real money: SMS pumping).
    country_codes: list[str] = ["+33"]
    # Faults: a turn that fails or outlasts the deadline (Twilio waits 15 s) is held on local
    # disk and the resident told so; held messages are taken again every few seconds.
    turn_deadline_seconds: float = 10
    held_dir: Path = Path("var/held")
    held_retry_seconds: float = 5
    # `parlons purge` deletes sessions, contact addresses, dead letters, held messages and
    # recordings this long after the consultation closes.
    purge_after_days: float = 90

    # "production" refuses to start with a default, empty or short secret.
    env: Literal["development", "production"] = "development"

    @field_validator("messages_per_minute", "messages_per_day", mode="before")
    @classmethod
    def _per_channel(cls, given: object, info: ValidationInfo) -> object:
        if not isinstance(given, dict):  # one figure for every channel, as before
            raise ValueError(
                "limits are per channel and kind, as JSON: for example "
                '{"sms": 20, "telegram:button": 120} (README, "Message limits")'
            )
        for key in given:
            channel, colon, kind = str(key).partition(":")
            if not channel or (colon and kind != BUTTON):
                raise ValueError(f'{key!r}: a channel ("sms"), or a channel and ":button"')
        # What is given replaces those entries only: the other channels keep their limits.
        return {**cls.model_fields[info.field_name].default, **given}

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
            default: SecretStr | None = type(self).model_fields[field].default
            if given is None:
                continue  # unset: that feature is off (set to "", it is weak: someone meant it)
            value = given.get_secret_value()
            if len(value.strip()) < MIN_SECRET_LENGTH or given == default:
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
