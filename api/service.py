"""The consultation service: every read and write the API offers, over one database.

Routes and the bot's in-process client both call this layer, with the same schemas, so the
embedded default and the API running apart behave the same. Each job has its own module:
ballots (api/ballots.py), ideas (api/ideas.py), profiles and ERASE (api/participants.py),
what to show next (api/next_proposals.py); this one holds the transactions around them and
the consultations and their proposals.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api import ideas, participants
from api.ballots import BallotBox
from api.candidates import Selector
from api.decisions import decisions_after
from api.evaluations import Evaluations
from api.models import Consultation, Proposal, ProposalStatus
from api.next_proposals import AcceptedProposals, answered, choose_next, next_proposals
from api.rows import (
    ConsultationIds,
    as_utc,
    consultation_out,
    consultation_row,
    new_proposal,
    proposal_out,
)
from api.schemas import (
    BallotIn,
    BallotsOut,
    ConsultationOut,
    ConsultationSpec,
    DecisionOut,
    Erased,
    EvaluationIn,
    EvaluationSummary,
    IdeaIn,
    ProfileIn,
    ProfileOut,
    ProposalOut,
)
from api.selection import DEFAULT, SELECTORS


class ConsultationService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        selector: Selector = SELECTORS[DEFAULT],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`clock`: when the accepted proposals kept in memory are read again (tests move
        it on)."""
        self.sessions = sessions
        self.selector = selector
        self._ids = ConsultationIds()
        self._accepted = AcceptedProposals(sessions, clock=clock)
        self._ballots = BallotBox(sessions, self._ids, counted=self._accepted.count)
        self._evaluations = Evaluations(sessions)

    # --- consultations -------------------------------------------------------------------

    async def load(self, spec: ConsultationSpec) -> ConsultationOut:
        """Create the consultation from its file, or bring an existing one up to date.

        Proposals are matched by key: new keys are added, known ones keep their votes and
        their moderation status, so loading the same file at every start is harmless.
        """
        async with self.sessions.begin() as db:
            row = await db.scalar(select(Consultation).where(Consultation.slug == spec.slug))
            if row is None:
                row = Consultation(slug=spec.slug)
                db.add(row)
            row.title = spec.title
            row.question = spec.question
            row.languages = spec.languages
            row.default_language = spec.default_language
            row.timezone = spec.timezone
            row.opens_at = as_utc(spec.opens)
            row.closes_at = as_utc(spec.closes)
            row.details = spec.details()
            await db.flush()
            known = set(
                await db.scalars(select(Proposal.key).where(Proposal.consultation_id == row.id))
            )
            db.add_all(new_proposal(row.id, p) for p in spec.proposals if p.key not in known)
            return consultation_out(row)

    async def consultation(self, slug: str) -> ConsultationOut:
        async with self.sessions() as db:
            return consultation_out(await consultation_row(db, slug))

    async def consultations(self) -> list[ConsultationOut]:
        async with self.sessions() as db:
            rows = await db.scalars(select(Consultation).order_by(Consultation.id))
            return [consultation_out(r) for r in rows]

    # --- proposals -------------------------------------------------------------------------

    async def proposals(
        self,
        slug: str,
        status: ProposalStatus | None = ProposalStatus.ACCEPTED,
        ids: Collection[int] | None = None,
    ) -> list[ProposalOut]:
        async with self.sessions() as db:
            consultation = await consultation_row(db, slug)
            query = select(Proposal).where(Proposal.consultation_id == consultation.id)
            if status is not None:
                query = query.where(Proposal.status == status)
            if ids is not None:
                query = query.where(Proposal.id.in_(list(ids)))
            rows = await db.scalars(query.order_by(Proposal.id))
            return [proposal_out(r) for r in rows]

    async def next_proposals(
        self,
        slug: str,
        participant: str,
        language: str,
        limit: int = 5,
        exclude: Collection[int] = (),
        answered_known: bool = False,
    ) -> list[ProposalOut]:
        """What to show this participant next, chosen by the selector: see
        api/next_proposals.py. `answered_known`: `exclude` holds every proposal they answered
        (the bot keeps them in its session), so their ballots are not read."""
        consultation_id = await self._consultation_id(slug)
        accepted = await self._accepted.read(consultation_id)  # outside: it has its own
        if answered_known:
            return choose_next(self.selector, accepted, participant, language, limit, exclude)
        async with self.sessions() as db:
            return await next_proposals(
                db, consultation_id, self.selector, accepted, participant, language, limit, exclude
            )

    async def answered(self, slug: str, participant: str) -> list[int]:
        """The proposals a participant answered, as stored, in the order answered."""
        consultation_id = await self._consultation_id(slug)
        async with self.sessions() as db:
            return await answered(db, consultation_id, participant)

    async def _consultation_id(self, slug: str) -> int:
        if (known := self._ids.known(slug)) is not None:
            return known
        async with self.sessions() as db:
            return await self._ids.of(db, slug)

    # --- what residents send ---------------------------------------------------------------

    async def cast_ballots(self, slug: str, ballots: Sequence[BallotIn]) -> BallotsOut:
        return await self._ballots.cast(slug, ballots)

    async def submit_idea(self, slug: str, idea: IdeaIn) -> ProposalOut:
        async with self.sessions.begin() as db:
            return await ideas.submit_idea(db, await consultation_row(db, slug), idea)

    async def set_profile(self, slug: str, participant: str, profile: ProfileIn) -> ProfileOut:
        async with self.sessions.begin() as db:
            consultation = await consultation_row(db, slug)
            return await participants.set_profile(db, consultation, participant, profile)

    async def erase(self, slug: str, participant: str) -> Erased:
        async with self.sessions.begin() as db:
            consultation = await consultation_row(db, slug)
            return await participants.erase(db, consultation, participant)

    async def forget_recordings(self, slug: str) -> int:
        """After the consultation (`parlons purge`): the recordings of ideas go, their text
        stays; how many went."""
        async with self.sessions.begin() as db:
            consultation = await consultation_row(db, slug)
            done = await db.execute(
                update(Proposal)
                .where(Proposal.consultation_id == consultation.id, Proposal.audio.is_not(None))
                .values(audio=None)
            )
            return done.rowcount or 0

    async def evaluate(self, slug: str, answer: EvaluationIn) -> None:
        """A participant's answer to an evaluation question (api/evaluations.py)."""
        await self._evaluations.answer(slug, answer)

    # --- what the bot and analysts read ------------------------------------------------------

    async def decisions(self, slug: str, after: int, limit: int = 100) -> list[DecisionOut]:
        """Moderators' decisions after the audit event `after` (api/decisions.py)."""
        return await decisions_after(self.sessions, slug, after, limit)

    async def evaluation_summary(self, slug: str) -> dict[str, EvaluationSummary]:
        return await self._evaluations.summary(slug)
