"""Moderators' decisions on residents' ideas, for the bot to tell their authors.

Read from the audit trail (`moderation_events`, never updated): its ids only grow, so the bot
keeps the last one it handled and asks for the ones after it. Authors are named by their
pseudonymous ref, as everywhere in the API; how to reach them is the bot's business.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.auth import Caller, Role, require
from api.errors import NotFound
from api.http import call, state
from api.models import Consultation, ModerationAction, ModerationEvent, Participant, Proposal
from api.schemas import MAX_ID

TOLD = {ModerationAction.ACCEPT: "accepted", ModerationAction.REJECT: "rejected"}


class DecisionOut(BaseModel):
    event: int = Field(description="the audit trail's id: ask for the decisions after it")
    proposal_id: int
    author: str = Field(description="the author's participant ref")
    status: Literal["accepted", "rejected"]
    reason: str | None = Field(None, description="a code of GET /moderation/reasons")
    text: str = Field(description="the idea in its author's own words")
    language: str


async def decisions_after(
    sessions: async_sessionmaker[AsyncSession], slug: str, after: int, limit: int
) -> list[DecisionOut]:
    async with sessions() as db:
        consultation = await db.scalar(select(Consultation.id).where(Consultation.slug == slug))
        if consultation is None:
            raise NotFound(f"no consultation {slug!r}")
        rows = await db.execute(
            select(ModerationEvent, Proposal, Participant.ref)
            .join(Proposal, ModerationEvent.proposal_id == Proposal.id)
            .join(Participant, Proposal.author_id == Participant.id)
            .where(
                ModerationEvent.consultation_id == consultation,
                ModerationEvent.id > after,
                ModerationEvent.action.in_(list(TOLD)),
            )
            .order_by(ModerationEvent.id)
            .limit(limit)
        )
        return [
            DecisionOut(
                event=event.id,
                proposal_id=proposal.id,
                author=ref,
                status=TOLD[event.action],
                reason=event.reason,
                text=proposal.original_text or proposal.text,
                language=proposal.language,
            )
            for event, proposal, ref in rows
        ]


router = APIRouter(prefix="/api/v1", tags=["moderation"])


@router.get("/consultations/{slug}/decisions")
async def decisions(
    request: Request,
    slug: str,
    _caller: Annotated[Caller, require(Role.BOT)],
    after: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DecisionOut]:
    """Ideas accepted or rejected after the audit event `after`, oldest first, with their
    authors' refs: the bot tells the authors who asked to hear back."""
    return await call(decisions_after(state(request).service.sessions, slug, after, limit))
