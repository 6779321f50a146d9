"""A resident's idea, stored as a pending proposal with its automatic flags, for the
moderators (api/moderation.py) to decide."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.flags import flags_for
from api.models import Consultation, Proposal, ProposalStatus
from api.participants import participant_row
from api.rows import proposal_out
from api.schemas import IdeaIn, ProposalOut

log = logging.getLogger(__name__)


async def submit_idea(db: AsyncSession, consultation: Consultation, idea: IdeaIn) -> ProposalOut:
    """Store a resident's idea as a pending proposal; the same key twice stores it once."""
    existing = await db.scalar(
        select(Proposal).where(Proposal.idempotency_key == idea.idempotency_key)
    )
    if existing is not None:
        return proposal_out(existing)
    author = await participant_row(
        db, consultation.id, idea.participant, idea.channel, idea.language
    )
    rows = await db.execute(
        select(Proposal.id, Proposal.text)
        .where(Proposal.consultation_id == consultation.id)
        .where(Proposal.status == ProposalStatus.ACCEPTED)
    )
    published = {proposal_id: text for proposal_id, text in rows}
    auto = flags_for(
        idea.text,
        max_length=consultation.details.get("idea_max_length", 1000),
        published=published,
        region=consultation.details.get("region", "FR"),
    )
    proposal = Proposal(
        consultation_id=consultation.id,
        text=idea.text.strip(),
        language=idea.language,
        status=ProposalStatus.PENDING,
        author_id=author.id,
        channel=idea.channel,
        audio=idea.audio,
        idempotency_key=idea.idempotency_key,
        flags=sorted({*idea.flags, *auto.flags}),
        similar_to=auto.similar_to,
        agree=0,
        disagree=0,
        skip=0,
        translations=[],
    )
    db.add(proposal)
    await db.flush()
    log.info("idea received proposal=%d channel=%s", proposal.id, idea.channel)
    return proposal_out(proposal)
