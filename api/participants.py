"""Participants: found or created by their pseudonymous ref, their optional profile, and
ERASE."""

from __future__ import annotations

import logging

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.ballots import uncounted
from api.errors import Invalid
from api.models import Ballot, Consultation, Participant, Proposal
from api.schemas import Erased, ProfileIn, ProfileOut

log = logging.getLogger(__name__)


async def participant_row(
    db: AsyncSession, consultation_id: int, ref: str, channel: str, language: str | None
) -> Participant:
    row = await db.scalar(
        select(Participant)
        .where(Participant.consultation_id == consultation_id)
        .where(Participant.ref == ref)
    )
    if row is None:
        row = Participant(
            consultation_id=consultation_id, ref=ref, channel=channel, language=language
        )
        db.add(row)
        await db.flush()
    elif language and row.language != language:
        row.language = language
    return row


async def set_profile(
    db: AsyncSession, consultation: Consultation, participant: str, profile: ProfileIn
) -> ProfileOut:
    row = await participant_row(db, consultation.id, participant, profile.channel, profile.language)
    for part in ("district", "age_band", "centre"):
        if part in profile.model_fields_set:
            setattr(row, part, getattr(profile, part))
    if profile.simulated and not row.simulated:
        if await db.scalar(select(Ballot.id).where(Ballot.participant_id == row.id)):
            raise Invalid("a participant who already voted cannot become simulated")
        row.simulated = True
    return ProfileOut(
        participant=row.ref,
        channel=row.channel,
        language=row.language,
        district=row.district,
        age_band=row.age_band,
        centre=row.centre,
    )


async def erase(db: AsyncSession, consultation: Consultation, participant: str) -> Erased:
    """ERASE: the participant's ballots and profile go, and the results with them. Their
    ideas, once published, stay as the consultation's, with no author."""
    row = await db.scalar(
        select(Participant)
        .where(Participant.consultation_id == consultation.id)
        .where(Participant.ref == participant)
    )
    if row is None:
        return Erased(ballots=0)
    ballots = list(await db.scalars(select(Ballot).where(Ballot.participant_id == row.id)))
    for ballot in ballots:
        if not row.simulated:
            await db.execute(uncounted(ballot))
        await db.delete(ballot)
    await db.execute(update(Proposal).where(Proposal.author_id == row.id).values(author_id=None))
    await db.delete(row)
    log.info("participant erased ballots=%d", len(ballots))
    return Erased(ballots=len(ballots))
