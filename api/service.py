"""The consultation service: every read and write the API offers, over one database.

Routes and the bot's in-process client both call this layer, with the same schemas, so the
embedded default and the API running apart behave the same.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from collections.abc import Collection, Sequence
from datetime import UTC, datetime

from sqlalchemy import Update, bindparam, exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute

from api.flags import flags_for
from api.group_commit import GroupCommit
from api.models import (
    Ballot,
    Consultation,
    Participant,
    Proposal,
    ProposalStatus,
    ProposalTranslation,
)
from api.schemas import (
    BallotIn,
    BallotsOut,
    ConsultationOut,
    ConsultationSpec,
    Erased,
    IdeaIn,
    ProfileIn,
    ProfileOut,
    ProposalOut,
    ProposalSpec,
)
from api.selection import DEFAULT, SELECTORS, Candidate, Selector

log = logging.getLogger(__name__)


class NotFound(LookupError):
    """A consultation or proposal that does not exist (404 over HTTP)."""


class Invalid(ValueError):
    """A request that names something impossible, e.g. a ballot on another consultation's
    proposal (422 over HTTP)."""


class Conflict(RuntimeError):
    """A request that clashes with the current state, e.g. a proposal another moderator
    holds (409 over HTTP)."""


def as_utc(moment: datetime | None) -> datetime | None:
    """Datetimes are stored in UTC; SQLite hands them back without their zone."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def consultation_out(row: Consultation) -> ConsultationOut:
    return ConsultationOut(
        slug=row.slug,
        title=row.title,
        question=row.question,
        languages=row.languages,
        default_language=row.default_language,
        timezone=row.timezone,
        opens_at=as_utc(row.opens_at),
        closes_at=as_utc(row.closes_at),
        details=row.details,
    )


def proposal_out(row: Proposal) -> ProposalOut:
    return ProposalOut(
        id=row.id,
        key=row.key,
        text=row.text,
        language=row.language,
        theme=row.theme,
        status=row.status,
        translations={t.language: t.text for t in row.translations},
        channel=row.channel,
        audio=row.audio,
        reject_reason=row.reject_reason,
        flags=list(row.flags or []),
        original_text=row.original_text,
        similar_to=row.similar_to,
        claimed_by=row.claimed_by if claim_live(row) else None,
        claimed_until=as_utc(row.claimed_until) if claim_live(row) else None,
    )


def claim_live(row: Proposal) -> bool:
    """True while a moderator's claim on the proposal has not lapsed."""
    until = as_utc(row.claimed_until)
    return row.claimed_by is not None and until is not None and until > datetime.now(UTC)


def new_proposal(consultation_id: int, spec: ProposalSpec) -> Proposal:
    """A proposal written by the city (a consultation file, an imported CSV), no vote yet."""
    return Proposal(
        consultation_id=consultation_id,
        key=spec.key,
        text=spec.text,
        language=spec.language,
        theme=spec.theme,
        status=spec.status,
        agree=0,
        disagree=0,
        skip=0,
        translations=[
            ProposalTranslation(language=lang, text=text)
            for lang, text in spec.translations.items()
            if lang != spec.language
        ],
    )


async def consultation_row(db: AsyncSession, slug: str) -> Consultation:
    row = await db.scalar(select(Consultation).where(Consultation.slug == slug))
    if row is None:
        raise NotFound(f"no consultation {slug!r}")
    return row


_COUNTER = {"agree": Proposal.agree, "disagree": Proposal.disagree, "skip": Proposal.skip}


class ConsultationService:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], selector: Selector = SELECTORS[DEFAULT]
    ) -> None:
        self.sessions = sessions
        self.selector = selector
        self._ballots = GroupCommit(self._cast_ballots)
        self._consultation_ids: dict[str, int] = {}

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

    async def _consultation(self, db: AsyncSession, slug: str) -> Consultation:
        return await consultation_row(db, slug)

    async def _consultation_id(self, db: AsyncSession, slug: str) -> int:
        """A consultation's id, read once: it never changes (nor is a consultation deleted),
        and the hot paths need nothing else of the row."""
        if (known := self._consultation_ids.get(slug)) is None:
            known = await db.scalar(select(Consultation.id).where(Consultation.slug == slug))
            if known is None:
                raise NotFound(f"no consultation {slug!r}")
            self._consultation_ids[slug] = known
        return known

    async def consultation(self, slug: str) -> ConsultationOut:
        async with self.sessions() as db:
            return consultation_out(await self._consultation(db, slug))

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
            consultation = await self._consultation(db, slug)
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
    ) -> list[ProposalOut]:
        """What to show this participant next, chosen by the selector (api/selection.py):
        accepted, never voted on nor in `exclude` (the bot's queue, in order: its last one is
        shown just before these), a proposal translated into their language counting as theirs.
        """
        async with self.sessions() as db:
            consultation_id = await self._consultation_id(db, slug)
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
            chosen = self.selector.choose(
                candidates, seen=seen, language=language, limit=limit, rng=rng, recent=recent
            )
            if not chosen:
                return []
            picked = await db.scalars(select(Proposal).where(Proposal.id.in_(chosen)))
            rows = {r.id: r for r in picked}
        return [proposal_out(rows[i]) for i in chosen]

    # --- ideas and moderation ------------------------------------------------------------

    async def submit_idea(self, slug: str, idea: IdeaIn) -> ProposalOut:
        """Store a resident's idea as a pending proposal; the same key twice stores it once."""
        async with self.sessions.begin() as db:
            consultation = await self._consultation(db, slug)
            existing = await db.scalar(
                select(Proposal).where(Proposal.idempotency_key == idea.idempotency_key)
            )
            if existing is not None:
                return proposal_out(existing)
            author = await self._participant(
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

    # --- participants ----------------------------------------------------------------------

    async def set_profile(self, slug: str, participant: str, profile: ProfileIn) -> ProfileOut:
        async with self.sessions.begin() as db:
            consultation = await self._consultation(db, slug)
            row = await self._participant(
                db, consultation.id, participant, profile.channel, profile.language
            )
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

    async def erase(self, slug: str, participant: str) -> Erased:
        """ERASE: the participant's ballots and profile go, and the results with them. Their
        ideas, once published, stay as the consultation's, with no author."""
        async with self.sessions.begin() as db:
            consultation = await self._consultation(db, slug)
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
                    await db.execute(_bump(ballot.proposal_id, _COUNTER[ballot.choice.value], -1))
                await db.delete(ballot)
            await db.execute(
                update(Proposal).where(Proposal.author_id == row.id).values(author_id=None)
            )
            await db.delete(row)
            log.info("participant erased ballots=%d", len(ballots))
            return Erased(ballots=len(ballots))

    # --- ballots ---------------------------------------------------------------------------

    async def cast_ballots(self, slug: str, ballots: Sequence[BallotIn]) -> BallotsOut:
        """Store ballots: one per participant and proposal, the last choice counting; a ballot
        whose idempotency key is already stored changes nothing. Ballots cast at the same
        moment (by many residents) share one transaction: see api/group_commit.py."""
        outcomes = await self._ballots.submit(slug, ballots)
        return BallotsOut(stored=outcomes.count(STORED), duplicates=outcomes.count(DUPLICATE))

    async def _cast_ballots(self, slug: str, ballots: Sequence[BallotIn]) -> list[str]:
        try:
            return await self._write_ballots(slug, ballots)
        except IntegrityError:
            # Another process stored one of these keys at the same moment: go again, and the
            # keys it stored are now duplicates.
            log.info("ballot batch raced another writer; retrying once")
            return await self._write_ballots(slug, ballots)

    async def _write_ballots(self, slug: str, ballots: Sequence[BallotIn]) -> list[str]:
        """One transaction, a handful of statements whatever the number of ballots: each
        lookup is one query for all of them, counters move in one executemany."""
        async with self.sessions.begin() as db:
            consultation_id = await self._consultation_id(db, slug)
            seen_keys = set(
                await db.scalars(
                    select(Ballot.idempotency_key).where(
                        Ballot.idempotency_key.in_({b.idempotency_key for b in ballots})
                    )
                )
            )
            proposal_ids = {b.proposal_id for b in ballots}
            valid = set(
                await db.scalars(
                    select(Proposal.id)
                    .where(Proposal.consultation_id == consultation_id)
                    .where(Proposal.id.in_(proposal_ids))
                )
            )
            if missing := proposal_ids - valid:
                raise Invalid(f"no proposal {sorted(missing)} in consultation {slug!r}")
            fresh = [b for b in ballots if b.idempotency_key not in seen_keys]
            participants = await self._participants(db, consultation_id, fresh)
            cast = {
                (row.participant_id, row.proposal_id): row
                for row in await db.scalars(
                    select(Ballot)
                    .where(Ballot.participant_id.in_({p.id for p in participants.values()}))
                    .where(Ballot.proposal_id.in_(proposal_ids))
                )
            }
            counts: Counter[tuple[int, str]] = Counter()
            outcomes = []
            for ballot in ballots:
                if ballot.idempotency_key in seen_keys:
                    outcomes.append(DUPLICATE)
                    continue
                seen_keys.add(ballot.idempotency_key)
                participant = participants[ballot.participant]
                outcomes.append(_store(db, participant, ballot, cast, counts))
            if any(counts.values()):
                await db.execute(_BUMP, _bumps(counts))
        return outcomes

    async def _participants(
        self, db: AsyncSession, consultation_id: int, ballots: Sequence[BallotIn]
    ) -> dict[str, Participant]:
        """The ballots' participants by ref, those voting for the first time created."""
        refs = {b.participant for b in ballots}
        found = {
            row.ref: row
            for row in await db.scalars(
                select(Participant)
                .where(Participant.consultation_id == consultation_id)
                .where(Participant.ref.in_(refs))
            )
        }
        for b in ballots:
            row = found.get(b.participant)
            if row is None:
                found[b.participant] = row = Participant(
                    consultation_id=consultation_id,
                    ref=b.participant,
                    channel=b.channel,
                    language=b.language,
                )
                db.add(row)
            elif b.language and row.language != b.language:
                row.language = b.language
        await db.flush()  # new participants get their ids, in one insert
        return found

    async def _participant(
        self, db: AsyncSession, consultation_id: int, ref: str, channel: str, language: str | None
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


def _bump(proposal_id: int, counter: InstrumentedAttribute[int], by: int) -> Update:
    return update(Proposal).where(Proposal.id == proposal_id).values({counter: counter + by})


STORED, UNCHANGED, DUPLICATE = "stored", "unchanged", "duplicate"
_PROPOSALS = Proposal.__table__
# Every counter of one proposal moved by one statement; many proposals, one executemany.
_BUMP = (
    _PROPOSALS.update()
    .where(_PROPOSALS.c.id == bindparam("proposal"))
    .values({name: _PROPOSALS.c[name] + bindparam(f"by_{name}") for name in _COUNTER})
)


def _bumps(counts: Counter[tuple[int, str]]) -> list[dict[str, int]]:
    proposals = sorted({proposal for proposal, _ in counts})
    return [
        {"proposal": p, **{f"by_{name}": counts[p, name] for name in _COUNTER}} for p in proposals
    ]


def _store(
    db: AsyncSession,
    participant: Participant,
    b: BallotIn,
    cast: dict[tuple[int, int], Ballot],
    counts: Counter[tuple[int, str]],
) -> str:
    """Record one ballot in `cast` (the batch's ballots by participant and proposal) and its
    effect on the counters in `counts`; the session writes both at commit."""
    # A simulated participant's ballot is kept (its conversation goes on as a resident's
    # would) but never reaches the running counts that results and ordering read.
    counted = 0 if participant.simulated else 1
    existing = cast.get((participant.id, b.proposal_id))
    if existing is None:
        cast[participant.id, b.proposal_id] = row = Ballot(
            participant_id=participant.id,
            proposal_id=b.proposal_id,
            choice=b.choice,
            qualification=b.qualification,
            channel=b.channel,
            idempotency_key=b.idempotency_key,
        )
        db.add(row)
        counts[b.proposal_id, b.choice.value] += counted
        return STORED
    existing.idempotency_key = b.idempotency_key
    if existing.choice == b.choice:
        if b.qualification is None or existing.qualification == b.qualification:
            return UNCHANGED
        existing.qualification = b.qualification
        return STORED
    existing.qualification = b.qualification
    counts[b.proposal_id, existing.choice.value] -= counted
    counts[b.proposal_id, b.choice.value] += counted
    existing.choice = b.choice
    existing.channel = b.channel
    return STORED
