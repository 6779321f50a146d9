"""The consultation API as an ASGI app of its own, or as routes inside the bot's app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from api import errors
from api.routes import ROUTERS
from api.routes.deps import refuse_nul
from api.schemas import ConsultationSpec
from api.state import ApiState, build_state, start


def attach(app: FastAPI, state: ApiState) -> None:
    """Serve the API's routes from `app` (the bot's app in the embedded default), every
    service error answered by its handler (api/errors.py)."""
    app.state.parlons_api = state
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router, dependencies=[Depends(refuse_nul)])


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
        await start(state, consultation)
        try:
            yield
        finally:
            await state.engine.dispose()

    app = FastAPI(title="Parlons consultation API", lifespan=lifespan)
    attach(app, state)
    return app
