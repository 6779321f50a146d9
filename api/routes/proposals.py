"""Proposals: those residents are shown (and, for staff, the others), and residents' ideas
as they arrive."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from api.auth import Role, check_role, require
from api.models import ProposalStatus
from api.routes.deps import ServiceDep
from api.schemas import Id, IdeaIn, ProposalOut

router = APIRouter(prefix="/api/v1", tags=["proposals"])


@router.get("/consultations/{slug}/proposals")
async def list_proposals(
    request: Request,
    service: ServiceDep,
    slug: str,
    status: ProposalStatus = ProposalStatus.ACCEPTED,
    ids: Annotated[list[Id] | None, Query()] = None,
) -> list[ProposalOut]:
    """The proposals of one status: accepted ones (what residents are shown) for anyone,
    the others for moderators and analysts."""
    if status is not ProposalStatus.ACCEPTED:
        await check_role(request, Role.MODERATOR, Role.ANALYST)
    return await service.proposals(slug, status=status, ids=ids)


@router.post(
    "/consultations/{slug}/ideas",
    status_code=status.HTTP_201_CREATED,
    dependencies=[require(Role.BOT)],
)
async def submit_idea(service: ServiceDep, slug: str, idea: IdeaIn) -> ProposalOut:
    """A resident's idea, pending until a moderator accepts it. Idempotent by key."""
    return await service.submit_idea(slug, idea)
