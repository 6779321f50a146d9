"""Social centres: their Telegram links and printable posters, the residents each link
brought, mediator links and kiosk links. Everyone signed in sees them; only an admin (as the
API judges the token) creates or revokes."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated
from urllib.parse import urlencode

import segno
from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response

from bot.records.centres import KIOSK, MEDIATOR, CentreError
from bot.web.pages import SignedIn, Web, moderators_only
from bot.web.render import check_csrf

router = APIRouter(
    prefix="/staff/centres", include_in_schema=False, dependencies=[Depends(moderators_only)]
)
Csrf = Annotated[str, Form()]


@router.get("")
async def centres(request: Request, staff: SignedIn, web: Web, problem: str = "") -> Response:
    listing = await web.centres.listing()
    return web.render(
        request,
        "centres.html",
        staff,
        centres=listing,
        admin=await web.api.is_admin(staff.token),
        link_for=lambda link: _link_for(web, link.code, link.kind),
        problem=problem,
    )


@router.post("")
async def add_centre(
    staff: SignedIn, web: Web, csrf: Csrf, name: Annotated[str, Form(min_length=1, max_length=200)]
) -> Response:
    await _admin(staff, web, csrf)
    return await _change(web.centres.add(name))


@router.post("/{centre}/links")
async def add_link(
    staff: SignedIn,
    web: Web,
    centre: str,
    csrf: Csrf,
    kind: Annotated[str, Form(pattern=f"^({MEDIATOR}|{KIOSK})$")],
) -> Response:
    await _admin(staff, web, csrf)
    return await _change(web.centres.add_secret_link(centre, kind))


@router.post("/links/{code}/revoke")
async def revoke(staff: SignedIn, web: Web, code: str, csrf: Csrf) -> Response:
    await _admin(staff, web, csrf)
    return await _change(web.centres.revoke(code))


@router.get("/{centre}/poster")
async def poster(request: Request, staff: SignedIn, web: Web, centre: str) -> Response:
    try:
        view = await web.centres.get(centre)
    except CentreError:
        raise HTTPException(status.HTTP_404_NOT_FOUND) from None
    link = web.centres.deep_link(view.code)
    qr = (
        segno.make(link, error="m").svg_inline(scale=8, title=link, omitsize=True)
        if "://" in link
        else None
    )
    consultation = web.runtime.consultation
    language = web.language(request)
    return web.render(
        request,
        "poster.html",
        staff,
        centre=view,
        link=link,
        qr=qr,
        number=web.settings.twilio_caller_id,
        title=consultation.title.get(language) or consultation.title[consultation.default_language],
        question=consultation.question.get(language)
        or consultation.question[consultation.default_language],
    )


def _link_for(web, code: str, kind: str) -> str:  # noqa: ANN001
    if kind == KIOSK:
        return f"{web.settings.public_url.rstrip('/')}/kiosk/{code}"
    return web.centres.deep_link(code)


async def _admin(staff, web, csrf: str) -> None:  # noqa: ANN001
    check_csrf(staff, csrf)
    if not await web.api.is_admin(staff.token):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only an admin may change the centres")


async def _change(change: Awaitable[object]) -> Response:
    """Back to the centres page, saying why when the change could not be made."""
    try:
        await change
    except CentreError as e:
        return _back(str(e))
    return _back()


def _back(problem: str = "") -> Response:
    query = f"?{urlencode({'problem': problem})}" if problem else ""
    return RedirectResponse(f"/staff/centres{query}", status_code=303)
