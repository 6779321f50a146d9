"""Imports and exports over HTTP (the same as `parlons import` and `parlons export`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, HTTPException, Request, status
from fastapi.responses import PlainTextResponse

from api.auth import Role, require
from api.exports import FILES
from api.http import call, state
from api.schemas import Imported

router = APIRouter(prefix="/api/v1/consultations/{slug}", tags=["imports and exports"])


@router.post("/proposals/import", dependencies=[require()])
async def import_proposals(
    request: Request,
    slug: str,
    body: Annotated[str, Body(media_type="text/csv", max_length=5_000_000)],
) -> Imported:
    """A CSV of proposals (columns key, text, language, and optionally theme, status and
    text_<language>): all are imported, or none, with each problem's line and reason (422)."""
    return await call(state(request).imports.proposals_csv(slug, body))


@router.get("/exports", dependencies=[require(Role.ANALYST)])
async def list_exports(slug: str) -> list[str]:
    """The export files: ours, and Pol.is's under polis/."""
    return list(FILES)


@router.get(
    "/exports/{name:path}",
    dependencies=[require(Role.ANALYST)],
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
async def export(request: Request, slug: str, name: str) -> PlainTextResponse:
    """One export file as CSV. Participants are numbers, never their refs."""
    if name not in FILES:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no export {name!r}; see ./exports")
    files = await call(state(request).exports.files(slug))
    return PlainTextResponse(
        files[name],
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{slug}-{name.replace("/", "-")}"'},
    )
