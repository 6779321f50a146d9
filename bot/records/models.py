"""The bot's own tables: what must outlive a session and never goes to the API."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, MetaData, String, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from api.models import NAMING


class BotBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class OptOut(BotBase):
    """A participant who sent STOP: nothing is sent to them until they send START."""

    __tablename__ = "bot_opt_outs"

    ref: Mapped[str] = mapped_column(String(64), primary_key=True)
    stopped_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Contact(BotBase):
    """How to reach a resident who asked to hear back: their channel and address, encrypted.

    Only residents who answered yes have a row; STOP suspends it (bot_opt_outs), ERASE or "no"
    removes it.
    """

    __tablename__ = "bot_contacts"

    ref: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))  # sms, voice, telegram
    address: Mapped[bytes] = mapped_column(LargeBinary)  # Fernet token of "tel:+33..."
    language: Mapped[str] = mapped_column(String(8))
    agreed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class BroadcastSend(BotBase):
    """One resident's message in one broadcast: claimed before it is sent, so a broadcast
    stopped and started again never sends it twice; then what the provider said of it."""

    __tablename__ = "bot_broadcast_sends"

    broadcast: Mapped[str] = mapped_column(String(64), primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    # sending (claimed; if it stays so, the outcome is unknown), retry (nothing left: the
    # next run tries again), failed, sent, delivered, undelivered
    status: Mapped[str] = mapped_column(String(16))
    segments: Mapped[int] = mapped_column(Integer, default=0)  # SMS only
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    provider_id: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Cursor(BotBase):
    """How far the bot has read one of the API's streams (the moderators' decisions)."""

    __tablename__ = "bot_cursors"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class OpenQuestion(BotBase):
    """An evaluation question a broadcast asked a resident: their next message may answer it."""

    __tablename__ = "bot_open_questions"

    ref: Mapped[str] = mapped_column(String(64), primary_key=True)
    question: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# --- Social centres and their links (bot/records/centres.py, bot/telegram/tablet.py) -------


class Centre(BotBase):
    """A social centre that brings residents; its code is what the API's profile records."""

    __tablename__ = "bot_centres"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CentreLink(BotBase):
    """A deep link's payload: the centre's own (public, on its posters) or a mediator's
    (secret, makes its opener the centre's mediator). Revoked links credit no one."""

    __tablename__ = "bot_centre_links"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    centre: Mapped[str] = mapped_column(ForeignKey("bot_centres.code"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "centre" or "mediator"
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Brought(BotBase):
    """A resident (by ref) a link brought: credited once, to the first link."""

    __tablename__ = "bot_centre_residents"

    ref: Mapped[str] = mapped_column(String(64), primary_key=True)
    link: Mapped[str] = mapped_column(ForeignKey("bot_centre_links.code"), index=True)
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Mediator(BotBase):
    """A Telegram account (by ref) that opened a mediator link, and whose tablet it is."""

    __tablename__ = "bot_mediators"

    ref: Mapped[str] = mapped_column(String(64), primary_key=True)
    link: Mapped[str] = mapped_column(ForeignKey("bot_centre_links.code"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    current: Mapped[int | None] = mapped_column(Integer)  # the TabletResident at the tablet now
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class TabletResident(BotBase):
    """A resident walked through on a mediator's tablet: a random address of their own,
    never the mediator's. `number` is "person 3" on that tablet."""

    __tablename__ = "bot_desk_residents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mediator: Mapped[str] = mapped_column(ForeignKey("bot_mediators.ref"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


# --- WhatsApp and recordings (bot/records/whatsapp.py, bot/records/recordings.py) ----------


class WhatsAppWindow(BotBase):
    """WhatsApp's customer-service window of one WhatsApp address (by the participant's ref:
    one number, one participant): free-form messages may go 24 h after the resident's last
    WhatsApp message, only approved templates after. An SMS does not open it."""

    __tablename__ = "bot_whatsapp_windows"

    ref: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_message_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WhatsAppContent(BotBase):
    """A Content API resource (buttons or a list for one choice set in one language), created
    or found by `parlons whatsapp-content`: its Content SID, by its friendly name."""

    __tablename__ = "bot_whatsapp_contents"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    sid: Mapped[str] = mapped_column(String(34))
    language: Mapped[str] = mapped_column(String(8))


class Recording(BotBase):
    """A resident's recording kept at Twilio (a phone idea, a WhatsApp voice note): deleted
    there by ERASE and `parlons purge`."""

    __tablename__ = "bot_recordings"

    url: Mapped[str] = mapped_column(String(500), primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), index=True)
    kept_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
