"""What the route modules share: the API's state and its service objects as `Annotated`
dependencies, the path parameters, and the check every request goes through."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import unquote

from fastapi import Depends, HTTPException, Path, Request, status

from api.big_ideas import BigIdeas
from api.exports import Exports
from api.imports import Imports
from api.moderation import Moderation
from api.results import Results
from api.schemas import MAX_ID
from api.service import ConsultationService
from api.state import ApiState
from api.tokens import Tokens

IdPath = Annotated[int, Path(ge=0, le=MAX_ID)]
ParticipantRef = Annotated[str, Path(min_length=8, max_length=64, description="pseudonymous ref")]


async def refuse_nul(request: Request) -> None:
    """A NUL character is never text: PostgreSQL refuses it, so it is refused here, in the
    path, the query or the body (raw, or escaped in JSON), before it reaches the database."""
    where = unquote(request.url.path + "?" + request.url.query)
    body = await request.body()  # Starlette keeps it for the route
    if "\x00" in where or b"\x00" in body or b"\\u0000" in body:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "a NUL character is not text")


def state(request: Request) -> ApiState:
    return request.app.state.parlons_api


def _service(request: Request) -> ConsultationService:
    return state(request).service


def _moderation(request: Request) -> Moderation:
    return state(request).moderation


def _results(request: Request) -> Results:
    return state(request).results


def _imports(request: Request) -> Imports:
    return state(request).imports


def _exports(request: Request) -> Exports:
    return state(request).exports


def _big_ideas(request: Request) -> BigIdeas:
    return state(request).big_ideas


def _tokens(request: Request) -> Tokens:
    return state(request).tokens


ServiceDep = Annotated[ConsultationService, Depends(_service)]
ModerationDep = Annotated[Moderation, Depends(_moderation)]
ResultsDep = Annotated[Results, Depends(_results)]
ImportsDep = Annotated[Imports, Depends(_imports)]
ExportsDep = Annotated[Exports, Depends(_exports)]
TokensDep = Annotated[Tokens, Depends(_tokens)]
BigIdeasDep = Annotated[BigIdeas, Depends(_big_ideas)]
