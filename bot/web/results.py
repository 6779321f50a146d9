"""Results: proposals ranked, with their agree / disagree / skip bars."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bot.web.pages import SignedIn, Web

router = APIRouter(prefix="/staff/results", include_in_schema=False)


@router.get("")
async def results(request: Request, staff: SignedIn, web: Web) -> Response:
    data = await web.api.get(staff.token, f"{web.api.at}/results")
    return web.render(request, "results.html", staff, results=data)
