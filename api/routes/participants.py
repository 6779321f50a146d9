"""Participants, by their pseudonymous ref: what to show them next, their optional profile,
and ERASE. The bot's token only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.auth import Role, require
from api.routes.deps import ParticipantRef, ServiceDep
from api.schemas import Erased, Id, ProfileIn, ProfileOut, ProposalOut

router = APIRouter(prefix="/api/v1", dependencies=[require(Role.BOT)])
AT = "/consultations/{slug}/participants/{participant}"


@router.get(f"{AT}/next", tags=["ballots"])
async def next_proposals(
    service: ServiceDep,
    slug: str,
    participant: ParticipantRef,
    language: str,
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
    exclude: Annotated[list[Id], Query()] = [],  # noqa: B006 (FastAPI reads it, never mutates)
) -> list[ProposalOut]:
    """What to show this participant next (api/selection.py): accepted, not yet voted on nor
    in `exclude`, new proposals and those whose rank is still unsure first, their language
    preferred, no two of one theme or author in a row."""
    return await service.next_proposals(slug, participant, language, limit, exclude)


@router.put(f"{AT}/profile", tags=["participants"])
async def set_profile(
    service: ServiceDep, slug: str, participant: ParticipantRef, profile: ProfileIn
) -> ProfileOut:
    """Set parts of the optional profile (district, age band, centre); others are kept."""
    return await service.set_profile(slug, participant, profile)


@router.delete(AT, tags=["participants"])
async def erase(service: ServiceDep, slug: str, participant: ParticipantRef) -> Erased:
    """ERASE: remove the participant's ballots and profile; the results follow."""
    return await service.erase(slug, participant)
