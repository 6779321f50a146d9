"""The bot's own tables: what must outlive a session and never goes to the API."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, MetaData, String, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from api.models import NAMING


class BotBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class OptOut(BotBase):
    """A participant who sent STOP: nothing is sent to them until they send START."""

    __tablename__ = "bot_opt_outs"

    ref: Mapped[str] = mapped_column(String(64), primary_key=True)
    stopped_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
