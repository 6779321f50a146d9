"""Moderators' decisions on residents' ideas, for the bot to tell their authors.

Read from the audit trail (`moderation_events`, never updated): its ids only grow, so the bot
keeps the last one it handled and asks for the ones after it. Authors are named by their
pseudonymous ref, as everywhere in the API; how to reach them is the bot's business.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.errors import NotFound
from api.models import Consultation, ModerationAction, ModerationEvent, Participant, Proposal
from api.schemas import DecisionOut

TOLD = {ModerationAction.ACCEPT: "accepted", ModerationAction.REJECT: "rejected"}


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
