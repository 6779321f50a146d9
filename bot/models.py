"""The bot's own tables: what must outlive a session and never goes to the API."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, LargeBinary, MetaData, String, func
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
