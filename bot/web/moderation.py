"""The moderation queue: ideas waiting for a human, urgent ones first, with their flags; accept,
reject with a reason, postpone, edit, translate. Every action goes through the API under the
signed-in person's token, so the API's claims and audit trail hold for the page too."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from bot.api_client import ApiRefused
from bot.web.pages import SignedIn, Web, moderators_only
from bot.web.render import check_csrf

router = APIRouter(
    prefix="/staff/moderation", include_in_schema=False, dependencies=[Depends(moderators_only)]
)
QUEUES = ("pending", "postponed", "rejected")


@router.get("")
async def queue(
    request: Request,
    staff: SignedIn,
    web: Web,
    status: str = "pending",
    done: str = "",
    idea: int | None = None,
    problem: str = "",
) -> Response:
    status = status if status in QUEUES else "pending"
    proposals = await web.api.get(staff.token, f"{web.api.at}/moderation/queue", status=status)
    reasons = await web.api.get(staff.token, "/moderation/reasons")
    return web.render(
        request,
        "moderation.html",
        staff,
        queues=QUEUES,
        status=status,
        proposals=proposals,
        reasons=reasons,
        languages=web.languages,
        done=done,
        idea=idea,
        problem=problem,
    )


@router.get("/{proposal_id}/recording")
async def recording(
    staff: SignedIn, web: Web, proposal_id: int, status: str = "pending"
) -> Response:
    found = await web.api.get(
        staff.token, f"{web.api.at}/proposals", status=status, ids=[proposal_id]
    )
    audio = found[0]["audio"] if found else None
    fetched = await web.recordings.fetch(audio) if audio else None
    if fetched is None:
        raise HTTPException(404, "no recording to be had for this idea")
    content, media_type = fetched
    return Response(content, media_type=media_type, headers={"Cache-Control": "private"})


Csrf = Annotated[str, Form()]
Text = Annotated[str, Form(min_length=1, max_length=1000)]


@router.post("/{proposal_id}/accept")
async def accept(staff: SignedIn, web: Web, proposal_id: int, csrf: Csrf) -> Response:
    return await _act(staff, web, csrf, proposal_id, "accepted", "POST", "/accept")


@router.post("/{proposal_id}/postpone")
async def postpone(staff: SignedIn, web: Web, proposal_id: int, csrf: Csrf) -> Response:
    return await _act(staff, web, csrf, proposal_id, "postponed", "POST", "/postpone")


@router.post("/{proposal_id}/reject")
async def reject(
    staff: SignedIn,
    web: Web,
    proposal_id: int,
    csrf: Csrf,
    reason: Annotated[str, Form(max_length=32)],
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    body = {"reason": reason, "note": note or None}
    return await _act(staff, web, csrf, proposal_id, "rejected", "POST", "/reject", body)


@router.post("/{proposal_id}/edit")
async def edit(staff: SignedIn, web: Web, proposal_id: int, csrf: Csrf, text: Text) -> Response:
    return await _act(staff, web, csrf, proposal_id, "edited", "PATCH", "", {"text": text})


@router.post("/{proposal_id}/translate")
async def translate(
    staff: SignedIn,
    web: Web,
    proposal_id: int,
    csrf: Csrf,
    language: Annotated[str, Form(pattern=r"^[a-z]{2,3}$")],
    text: Text,
) -> Response:
    path = f"/translations/{language}"
    return await _act(staff, web, csrf, proposal_id, "translated", "PUT", path, {"text": text})


async def _act(
    staff,
    web,
    csrf: str,
    proposal_id: int,
    done: str,
    method: str,
    path: str,
    body=None,  # noqa: ANN001
) -> Response:
    check_csrf(staff, csrf)
    query = {"done": done, "idea": proposal_id}
    try:
        await web.api.call(staff.token, method, f"{web.api.at}/proposals/{proposal_id}{path}", body)
    except ApiRefused as refused:
        query = {"problem": refused.detail, "idea": proposal_id}
    return RedirectResponse(f"/staff/moderation?{urlencode(query)}", status_code=303)
