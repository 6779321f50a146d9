"""The staff web page: sign-in, moderation, results, the simulator and the centres' kiosks.

It is a client of the consultation API like any other, with the signed-in person's own token
(so the API alone decides who may moderate), and it talks to the dialog through the runtime,
as a channel does. See docs/web.md.
"""

from __future__ import annotations

from importlib.resources import files

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from api import db
from bot.centres import Centres
from bot.services import Services
from bot.settings import secret
from bot.web import centres, kiosk, moderation, pages, problems, results, simulator
from bot.web.api import Refused, SignedOut, StaffApi
from bot.web.render import Pages
from bot.web.sign_in import COOKIE, CookieSeal

STATIC = "/staff/static"


def mount(app: FastAPI, parlons: Services) -> None:
    settings = parlons.settings
    if settings.api_url:
        api = StaffApi(settings.api_url, parlons.consultation.slug)
    else:
        # The API is served by this very app: reach it in-process, still through its routes.
        api = StaffApi("http://parlons.local", parlons.consultation.slug, httpx.ASGITransport(app))
    key = secret(settings.web_secret) or f"web:{settings.pseudonym_key.get_secret_value()}"
    seal = CookieSeal(key, int(settings.web_session_hours * 3600))
    centre_links = Centres(db.sessionmaker(parlons.engine), settings.telegram_bot_username)
    web = Pages(seal, api, parlons, centre_links, STATIC)
    app.state.parlons_web = web
    app.mount(STATIC, StaticFiles(directory=str(files("bot.web") / "static")), name="static")
    for module in (pages, moderation, results, simulator, centres, kiosk):
        app.include_router(module.router)
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
