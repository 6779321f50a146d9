"""Ballots, posted by the bot in batches."""

from __future__ import annotations

from fastapi import APIRouter

from api.auth import Role, require
from api.routes.deps import ServiceDep
from api.schemas import BallotsIn, BallotsOut

router = APIRouter(prefix="/api/v1", tags=["ballots"])


@router.post("/consultations/{slug}/ballots", dependencies=[require(Role.BOT)])
async def post_ballots(service: ServiceDep, slug: str, body: BallotsIn) -> BallotsOut:
    """Store a batch of ballots. Posting the same idempotency key again changes nothing."""
    return await service.cast_ballots(slug, body.ballots)
