"""The consultation API as an ASGI app of its own, or as routes inside the bot's app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import Depends, FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from api import (
    admin_routes,
    db,
    decisions,
    evaluations,
    exchange_routes,
    moderation_routes,
    routes,
)
from api.exports import Exports
from api.http import refuse_nul
from api.imports import Imports
from api.models import Role
from api.moderation import Moderation
from api.results import Results
from api.schemas import ConsultationSpec
from api.service import ConsultationService
from api.tokens import Tokens

MIGRATIONS = "api:migrations"


@dataclass
class ApiState:
    engine: AsyncEngine
    service: ConsultationService
    moderation: Moderation
    results: Results
    imports: Imports
    exports: Exports
    tokens: Tokens


def build_state(database_url: str, admin_token: str | None, bot_token: str | None) -> ApiState:
    engine = db.create_engine(database_url)
    sessions = db.sessionmaker(engine)
    return ApiState(
        engine,
        ConsultationService(sessions),
        Moderation(sessions),
        Results(sessions),
        Imports(sessions),
        Exports(sessions),
        Tokens(sessions, {Role.ADMIN: admin_token, Role.BOT: bot_token}),
    )


def attach(app: FastAPI, state: ApiState) -> None:
    """Serve the API's routes from `app` (the bot's app in the embedded default)."""
    app.state.parlons_api = state
    for module in (
        routes,
        moderation_routes,
        exchange_routes,
        admin_routes,
        decisions,
        evaluations,
    ):
        app.include_router(module.router, dependencies=[Depends(refuse_nul)])


def create_api(
    database_url: str,
    admin_token: str | None,
    bot_token: str | None,
    consultation: ConsultationSpec | None = None,
) -> FastAPI:
    """The API alone, for running it apart from the bot (`PARLONS_API_URL` on the bot side)."""
    state = build_state(database_url, admin_token, bot_token)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with db.exclusive_start(state.engine):  # N workers starting together
            await db.upgrade(state.engine, MIGRATIONS)
            if consultation is not None:
                await state.service.load(consultation)
        try:
            yield
        finally:
            await state.engine.dispose()

    app = FastAPI(title="Parlons consultation API", lifespan=lifespan)
    attach(app, state)
    return app
