"""What the API runs on, built once per process, and its one start-up.

`ApiState` holds the engine and the service objects every route and the bot's in-process
client use. `starting` is how every process that serves or changes the consultation starts:
the API's tables migrated to their head revision, then the consultation file loaded, under the
start-up lock so that processes starting together take turns.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from api import db
from api.big_ideas import BigIdeas
from api.demo_residents import DemoResidents
from api.exports import Exports
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
    big_ideas: BigIdeas
    demo: DemoResidents


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
        BigIdeas(sessions),
        DemoResidents(sessions),
    )


@asynccontextmanager
async def starting(state: ApiState, consultation: ConsultationSpec | None) -> AsyncIterator[None]:
    """Hold the start-up lock, migrate the API's tables, load the consultation (harmless at
    every start: known proposals keep their votes); the caller may do more under the lock
    before it is let go (the bot migrates its own tables there)."""
    async with db.exclusive_start(state.engine):  # N workers starting together
        await db.upgrade(state.engine, MIGRATIONS)
        if consultation is not None:
            await state.service.load(consultation)
        yield


async def start(state: ApiState, consultation: ConsultationSpec | None) -> None:
    """The start-up alone, for a process with nothing of its own to add under the lock."""
    async with starting(state, consultation):
        pass
