"""The consultation API as an ASGI app of its own, or as routes inside the bot's app."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from api import db
from api.auth import Role, Tokens
from api.routes import router
from api.service import ConsultationService

MIGRATIONS = "api:migrations"


@dataclass
class ApiState:
    engine: AsyncEngine
    service: ConsultationService
    tokens: Tokens


def build_state(database_url: str, admin_token: str | None, bot_token: str | None) -> ApiState:
    engine = db.create_engine(database_url)
    tokens = {admin_token or "": Role.ADMIN, bot_token or "": Role.BOT}
    return ApiState(engine, ConsultationService(db.sessionmaker(engine)), Tokens(tokens))


def attach(app: FastAPI, state: ApiState) -> None:
    """Serve the API's routes from `app` (the bot's app in the embedded default)."""
    app.state.parlons_api = state
    app.include_router(router)
