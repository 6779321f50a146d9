"""The staff web page: sign-in, moderation, results, big ideas and the synthesis report, the
simulator and the centres' kiosks.

It is a client of the consultation API like any other, with the signed-in person's own token
(so the API alone decides who may moderate), and it talks to the dialog through the runtime,
as a channel does. See docs/web.md.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from bot.web import big_ideas, centres, kiosk, moderation, pages, problems, results, simulator
from bot.web.api import Refused, SignedOut
from bot.web.render import STATIC, Pages
from bot.web.sign_in import COOKIE

ROUTERS = (
    pages.router,
    moderation.router,
    results.router,
    big_ideas.router,
    simulator.router,
    centres.router,
    kiosk.router,
)


def mount(app: FastAPI, web: Pages) -> None:
    """Serve the staff page and the kiosks from `app`."""
    app.state.parlons_web = web
    app.mount(STATIC, StaticFiles(directory=str(files("bot.web") / "static")), name="static")
    for router in ROUTERS:
        app.include_router(router)
    app.add_exception_handler(SignedOut, _signed_out)
    # Under /staff, every refusal is a page that says which field and why (bot/web/problems.py).
    app.add_exception_handler(Refused, problems.refused)
    app.add_exception_handler(RequestValidationError, problems.invalid_form)
    app.add_exception_handler(HTTPException, problems.http_error)


async def _signed_out(_request: Request, _exc: Exception) -> Response:
    """The API no longer takes the token (revoked): sign the person out."""
    response = RedirectResponse("/staff/sign-in", status_code=303)
    response.delete_cookie(COOKIE)
    return response
