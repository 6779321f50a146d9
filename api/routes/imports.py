"""Imports over HTTP (the same as `parlons import`): proposals from a CSV, all or none."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from api.auth import require
from api.routes.deps import ImportsDep
from api.schemas import Imported

router = APIRouter(prefix="/api/v1/consultations/{slug}", tags=["imports and exports"])


@router.post("/proposals/import", dependencies=[require()])
async def import_proposals(
    imports: ImportsDep,
    slug: str,
    body: Annotated[str, Body(media_type="text/csv", max_length=5_000_000)],
) -> Imported:
    """A CSV of proposals (columns key, text, language, and optionally theme, status and
    text_<language>): all are imported, or none, with each problem's line and reason (422)."""
    return await imports.proposals_csv(slug, body)
