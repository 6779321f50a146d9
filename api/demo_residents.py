"""Generated residents in the bundled demo consultation (`parlons demo`): they are marked as a
demo (`participants.demo`), counted in its results unlike the simulator's staff, and refused in
any consultation whose file does not say `demo: true`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.errors import Invalid
from api.models import Ballot, Consultation, Participant
from api.rows import consultation_row


def is_demo(consultation: Consultation) -> bool:
    return bool((consultation.details or {}).get("demo"))


class DemoResidents:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def check(self, slug: str) -> None:
        """Refused unless the consultation is a demo: real results never hold generated
        residents."""
        async with self.sessions() as db:
            if not is_demo(await consultation_row(db, slug)):
                raise Invalid(f"{slug!r} is not a demo consultation: no generated residents here")

    async def mark(self, slug: str, cast_at: Mapping[str, datetime]) -> int:
        """Mark these participants (by ref) as generated, their ballots dated as given (a
        demo spread over weeks, not one minute); how many were marked."""
        async with self.sessions.begin() as db:
            consultation = await consultation_row(db, slug)
            if not is_demo(consultation):
                raise Invalid(f"{slug!r} is not a demo consultation: no generated residents here")
            rows = (
                await db.execute(
                    select(Participant.id, Participant.ref).where(
                        Participant.consultation_id == consultation.id,
                        Participant.ref.in_(list(cast_at)),
                    )
                )
            ).all()
            for person, ref in rows:
                await db.execute(
                    update(Participant).where(Participant.id == person).values(demo=True)
                )
                await db.execute(
                    update(Ballot)
                    .where(Ballot.participant_id == person)
                    .values(cast_at=cast_at[ref])
                )
            return len(rows)
