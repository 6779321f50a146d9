"""Signing in and out, and the page's home."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response

from bot.web.api import SignedOut
from bot.web.render import Pages, check_csrf, pages
from bot.web.sign_in import ANALYST, COOKIE, Staff, home

router = APIRouter(prefix="/staff", include_in_schema=False)
SIGN_IN_CSRF = "parlons_sign_in"  # a double-submit token: the sign-in form has no session yet


async def signed_in(request: Request) -> Staff:
    """The dependency of every staff page and form: the person's cookie (none, forged or
    expired: the sign-in page), and their token asked of the API on this very request, as the
    API checks it on each call. A revoked token is signed out of every page at once, those
    that never call the API too (centres, posters, the simulator)."""
    web = pages(request)
    staff = web.staff(request)
    role = await web.api.role(staff.token)
    if role is None:
        raise SignedOut()
    return staff if role == staff.role else replace(staff, role=role)


SignedIn = Annotated[Staff, Depends(signed_in)]
Web = Annotated[Pages, Depends(pages)]


def moderators_only(request: Request, staff: SignedIn) -> None:
    """For the pages of moderators and admins (moderation, centres, simulator): an analyst
    asking for one is shown the results instead, and may post nothing to them."""
    if staff.role != ANALYST:
        return
    if request.method == "GET":
        raise HTTPException(status.HTTP_303_SEE_OTHER, headers={"Location": staff.home})
    raise HTTPException(status.HTTP_403_FORBIDDEN, "an analyst may read the results only")


@router.get("/")
async def start(staff: SignedIn) -> Response:
    return RedirectResponse(staff.home, status_code=303)


@router.get("/sign-in")
async def sign_in_form(request: Request, web: Web) -> Response:
    return _sign_in_page(request, web)


@router.post("/sign-in")
async def sign_in(
    request: Request, web: Web, token: Annotated[str, Form()], csrf: Annotated[str, Form()]
) -> Response:
    expected = request.cookies.get(SIGN_IN_CSRF, "")
    if not expected or not hmac.compare_digest(expected, csrf):
        return _sign_in_page(request, web, error="expired", code=403)
    token = token.strip()
    role = await web.api.role(token) if token else None
    if role is None:
        return _sign_in_page(request, web, error="unknown", code=401)
    response = RedirectResponse(home(role), status_code=303)
    response.set_cookie(
        COOKIE,
        web.seal.seal(token, role),
        max_age=web.seal.max_age,
        httponly=True,
        samesite="strict",
        secure=web.secure_cookies(request),
    )
    response.delete_cookie(SIGN_IN_CSRF)
    return response


@router.post("/sign-out")
async def sign_out(staff: SignedIn, csrf: Annotated[str, Form()]) -> Response:
    check_csrf(staff, csrf)
    response = RedirectResponse("/staff/sign-in", status_code=303)
    response.delete_cookie(COOKIE)
    return response


def _sign_in_page(request: Request, web: Pages, error: str | None = None, code: int = 200):
    csrf = secrets.token_urlsafe(24)
    response = web.render(request, "sign_in.html", None, code, csrf=csrf, error=error)
    response.set_cookie(
        SIGN_IN_CSRF,
        csrf,
        max_age=3600,
        httponly=True,
        samesite="strict",
        secure=web.secure_cookies(request),
    )
    return response
