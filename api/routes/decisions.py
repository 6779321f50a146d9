"""Moderators' decisions on residents' ideas, for the bot to tell their authors."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.auth import Role, require
from api.routes.deps import ServiceDep
from api.schemas import MAX_ID, DecisionOut

router = APIRouter(prefix="/api/v1", tags=["moderation"])


@router.get("/consultations/{slug}/decisions", dependencies=[require(Role.BOT)])
async def decisions(
    service: ServiceDep,
    slug: str,
    after: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DecisionOut]:
    """Ideas accepted or rejected after the audit event `after`, oldest first, with their
    authors' refs: the bot tells the authors who asked to hear back."""
    return await service.decisions(slug, after, limit)
