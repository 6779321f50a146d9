"""What a staff page says when something cannot be done: the API's refusal (a filter over its
limit, an idea another moderator holds), a field of the page's own form the page will not take,
or a page that is not there. Each becomes a page that names the field and why, in the person's
language, with the status the refusal had: never a 500, never a bare JSON answer."""

from __future__ import annotations

from fastapi import Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from bot.web.api import Problem, Refused, problems_in
from bot.web.render import pages
from bot.web.sign_in import COOKIE

STAFF = "/staff"


async def refused(request: Request, exc: Exception) -> Response:
    """The API said no: its status, its reasons as words."""
    assert isinstance(exc, Refused)
    return _page(request, exc.status, exc.problems)


async def invalid_form(request: Request, exc: Exception) -> Response:
    """A staff form or filter the page itself will not take (over its limit...)."""
    assert isinstance(exc, RequestValidationError)
    if not request.url.path.startswith(STAFF):
        return await request_validation_exception_handler(request, exc)  # the API's JSON
    return _page(request, 422, problems_in(list(exc.errors())))


async def http_error(request: Request, exc: Exception) -> Response:
    """A staff page's own refusal (403 to an analyst, a poster not found); redirects and
    everything outside /staff go on as FastAPI answers them."""
    assert isinstance(exc, HTTPException)
    if not request.url.path.startswith(STAFF) or exc.status_code < 400:
        return await http_exception_handler(request, exc)
    return _page(request, exc.status_code, problems_in(exc.detail), exc.headers)


def _page(
    request: Request, status: int, problems: list[Problem], headers: dict | None = None
) -> Response:
    web = pages(request)
    staff = web.seal.open(request.cookies.get(COOKIE))  # for the menu: the page checked it
    response = web.render(
        request, "problem.html", staff, status, problems=problems, back=_back(request.url.path)
    )
    response.headers.update(headers or {})
    return response


def _back(path: str) -> str:
    """The page the person came from: the section's own page (/staff/results for its CSV)."""
    parts = path.strip("/").split("/")
    return "/" + "/".join(parts[:2]) if len(parts) >= 2 else "/staff/"
