"""What every route module shares: the API's state and the mapping of service errors."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING, Annotated, TypeVar
from urllib.parse import unquote

from fastapi import HTTPException, Path, Request, status

from api.errors import Conflict, Invalid, NotFound
from api.imports import ImportRefused
from api.schemas import MAX_ID
from api.tokens import TokenConflict

if TYPE_CHECKING:
    from api.app import ApiState

T = TypeVar("T")
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


async def call(awaitable: Awaitable[T]) -> T:
    """Await a service call, turning its errors into HTTP answers."""
    try:
        return await awaitable
    except ImportRefused as e:
        detail = {"message": str(e), "problems": [p.model_dump() for p in e.problems]}
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail) from None
    except NotFound as e:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(e)) from None
    except Invalid as e:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(e)) from None
    except (Conflict, TokenConflict) as e:
        raise HTTPException(status.HTTP_409_CONFLICT, str(e)) from None
