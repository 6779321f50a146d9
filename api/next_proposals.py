"""What to show a participant next: the candidates read from the database, the choice left
to the selector (api/selection.py)."""

from __future__ import annotations

import random
from collections.abc import Collection

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.candidates import Candidate, Selector
from api.models import Ballot, Participant, Proposal, ProposalStatus, ProposalTranslation
from api.rows import proposal_out
from api.schemas import ProposalOut


async def next_proposals(
    db: AsyncSession,
    consultation_id: int,
    selector: Selector,
    participant: str,
    language: str,
    limit: int,
    exclude: Collection[int],
) -> list[ProposalOut]:
    """Accepted, never voted on nor in `exclude` (the bot's queue, in order: its last one is
    shown just before these), a proposal translated into their language counting as theirs."""
    # The selector reads a few columns of every accepted proposal: those alone, not
    # whole rows with their translations (most of a turn's time, when it was so).
    translated = exists().where(
        ProposalTranslation.proposal_id == Proposal.id,
        ProposalTranslation.language == language,
    )
    candidates = [
        Candidate(
            id=row.id,
            theme=row.theme,
            author=None if row.author_id is None else str(row.author_id),
            language=language if row.translated else row.language,
            order=row.id,
            agree=row.agree,
            disagree=row.disagree,
            skip=row.skip,
        )
        for row in await db.execute(
            select(
                Proposal.id,
                Proposal.theme,
                Proposal.author_id,
                Proposal.language,
                Proposal.agree,
                Proposal.disagree,
                Proposal.skip,
                translated.label("translated"),
            )
            .where(Proposal.consultation_id == consultation_id)
            .where(Proposal.status == ProposalStatus.ACCEPTED)
            .order_by(Proposal.id)
        )
    ]
    voted = (
        select(Ballot.proposal_id)
        .join(Participant, Participant.id == Ballot.participant_id)
        .where(Participant.consultation_id == consultation_id)
        .where(Participant.ref == participant)
    )
    seen = {*await db.scalars(voted), *exclude}
    by_id = {c.id: c for c in candidates}
    recent = [by_id[i] for i in list(exclude)[-1:] if i in by_id]
    # Noise seeded by the participant and their progress: residents arriving together
    # are spread over near-equal choices, and one state always gives one answer.
    rng = random.Random(f"{participant}:{len(seen)}")
    chosen = selector.choose(
        candidates, seen=seen, language=language, limit=limit, rng=rng, recent=recent
    )
    if not chosen:
        return []
    picked = await db.scalars(select(Proposal).where(Proposal.id.in_(chosen)))
    rows = {r.id: r for r in picked}
    return [proposal_out(rows[i]) for i in chosen]
