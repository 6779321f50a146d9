"""Signing in and out, and the page's home."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from bot.web.render import Pages, check_csrf, pages
from bot.web.sign_in import COOKIE, Staff

router = APIRouter(prefix="/staff", include_in_schema=False)
SIGN_IN_CSRF = "parlons_sign_in"  # a double-submit token: the sign-in form has no session yet


def signed_in(request: Request) -> Staff:
    return pages(request).staff(request)


SignedIn = Annotated[Staff, Depends(signed_in)]
Web = Annotated[Pages, Depends(pages)]


@router.get("/")
async def home(_staff: SignedIn) -> Response:
    return RedirectResponse("/staff/moderation", status_code=303)


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
    if not token or not await web.api.may_moderate(token):
        return _sign_in_page(request, web, error="unknown", code=401)
    response = RedirectResponse("/staff/moderation", status_code=303)
    response.set_cookie(
        COOKIE,
        web.seal.seal(token),
        max_age=web.seal.max_age,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
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
    response.set_cookie(SIGN_IN_CSRF, csrf, max_age=3600, httponly=True, samesite="strict")
    return response
