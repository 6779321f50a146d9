"""Every error the service layer raises, and what each becomes over HTTP, in one place.

The service layer (api/service.py and the modules it calls) raises these and nothing else
for a request it will not carry out; `install` gives the app one exception handler per
error, so no route converts an error itself (Starlette's `exception_handlers`). The bot's
in-process client turns them into its own `ApiRefused` (bot/api_client.py), as a 4xx is
turned over HTTP.

Reading a file before any service call (the consultation file, a Pol.is export) has its
own errors beside its reader: api/loader.py, api/polis.py.
"""

from __future__ import annotations

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse

from api.schemas import ImportProblem


class ServiceError(Exception):
    """The service will not do this: the same request gets the same answer."""

    status_code = status.HTTP_400_BAD_REQUEST

    def detail(self) -> object:
        return str(self)


class NotFound(ServiceError, LookupError):
    """A consultation, proposal or participant that does not exist."""

    status_code = status.HTTP_404_NOT_FOUND


class Invalid(ServiceError, ValueError):
    """A request that names something impossible, e.g. a ballot on another consultation's
    proposal."""

    status_code = status.HTTP_422_UNPROCESSABLE_CONTENT


class Conflict(ServiceError):
    """A request that clashes with the current state, e.g. a proposal another moderator
    holds, a token name already in use."""

    status_code = status.HTTP_409_CONFLICT


class ImportRefused(Invalid):
    """Nothing was imported; `problems` says where and why."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"nothing imported: line {first.line}: {first.reason}{more}")
        self.problems = problems

    def detail(self) -> object:
        return {"message": str(self), "problems": [p.model_dump() for p in self.problems]}


async def _answer(_request: Request, error: Exception) -> JSONResponse:
    # The shape of FastAPI's own HTTPException answers: {"detail": ...}.
    assert isinstance(error, ServiceError)
    return JSONResponse({"detail": error.detail()}, status_code=error.status_code)


def install(app: FastAPI) -> None:
    """Every service error answered over HTTP by its status and detail."""
    app.add_exception_handler(ServiceError, _answer)
