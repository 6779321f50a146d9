"""Exports over HTTP (the same as `parlons export`): results and a Pol.is export, as CSV."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import PlainTextResponse

from api.auth import Role, require
from api.exports import FILES
from api.routes.deps import ExportsDep

router = APIRouter(prefix="/api/v1/consultations/{slug}", tags=["imports and exports"])


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
async def export(exports: ExportsDep, slug: str, name: str) -> PlainTextResponse:
    """One export file as CSV. Participants are numbers, never their refs."""
    if name not in FILES:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no export {name!r}; see ./exports")
    files = await exports.files(slug)
    return PlainTextResponse(
        files[name],
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{slug}-{name.replace("/", "-")}"'},
    )
