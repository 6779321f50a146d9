"""The moderation queue: ideas waiting for a human, oldest first, with their flags."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from bot.web.pages import SignedIn, Web
from bot.web.render import check_csrf

router = APIRouter(prefix="/staff/moderation", include_in_schema=False)


@router.get("")
async def queue(request: Request, staff: SignedIn, web: Web, done: str = "") -> Response:
    pending = await web.api.get(staff.token, "/proposals", status="pending")
    # Safeguarding disclosures are urgent: they come first, then the oldest.
    pending.sort(key=lambda p: ("safeguarding" not in p["flags"], p["id"]))
    return web.render(request, "moderation.html", staff, pending=pending, done=done)


@router.post("/{proposal_id}/accept")
async def accept(
    staff: SignedIn, web: Web, proposal_id: int, csrf: Annotated[str, Form()]
) -> Response:
    check_csrf(staff, csrf)
    await web.api.post(staff.token, f"/proposals/{proposal_id}/accept")
    return RedirectResponse(f"/staff/moderation?done=accepted-{proposal_id}", status_code=303)


@router.post("/{proposal_id}/reject")
async def reject(
    staff: SignedIn,
    web: Web,
    proposal_id: int,
    csrf: Annotated[str, Form()],
    reason: Annotated[str, Form(min_length=1, max_length=500)],
) -> Response:
    check_csrf(staff, csrf)
    await web.api.post(staff.token, f"/proposals/{proposal_id}/reject", {"reason": reason})
    return RedirectResponse(f"/staff/moderation?done=rejected-{proposal_id}", status_code=303)
