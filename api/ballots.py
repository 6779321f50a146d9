"""Ballots: one per participant and proposal, the last choice counting, each idempotency key
stored once, and the proposals' running counts moved with them."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence

from sqlalchemy import Update, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.errors import Invalid
from api.group_commit import GroupCommit
from api.models import Ballot, Participant, Proposal
from api.rows import ConsultationIds
from api.schemas import BallotIn, BallotsOut

log = logging.getLogger(__name__)
Counted = Callable[[int, Mapping[tuple[int, str], int]], None]

STORED, UNCHANGED, DUPLICATE = "stored", "unchanged", "duplicate"
_COUNTER = {"agree": Proposal.agree, "disagree": Proposal.disagree, "skip": Proposal.skip}
_PROPOSALS = Proposal.__table__
# Every counter of one proposal moved by one statement; many proposals, one executemany.
_BUMP = (
    _PROPOSALS.update()
    .where(_PROPOSALS.c.id == bindparam("proposal"))
    .values({name: _PROPOSALS.c[name] + bindparam(f"by_{name}") for name in _COUNTER})
)


class BallotBox:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        ids: ConsultationIds,
        counted: Counted | None = None,
    ) -> None:
        """`counted(consultation_id, moved)`: told, once a transaction committed, how it moved
        the running counts, by (proposal, choice) (the proposals kept in memory)."""
        self.sessions = sessions
        self.ids = ids
        self._counted = counted
        self._group = GroupCommit(self._cast)

    async def cast(self, slug: str, ballots: Sequence[BallotIn]) -> BallotsOut:
        """Store ballots: one per participant and proposal, the last choice counting; a ballot
        whose idempotency key is already stored changes nothing. Ballots cast at the same
        moment (by many residents) share one transaction: see api/group_commit.py."""
        outcomes = await self._group.submit(slug, ballots)
        return BallotsOut(stored=outcomes.count(STORED), duplicates=outcomes.count(DUPLICATE))

    async def _cast(self, slug: str, ballots: Sequence[BallotIn]) -> list[str]:
        try:
            return await self._write(slug, ballots)
        except IntegrityError:
            # Another process stored one of these keys at the same moment: go again, and the
            # keys it stored are now duplicates.
            log.info("ballot batch raced another writer; retrying once")
            return await self._write(slug, ballots)

    async def _write(self, slug: str, ballots: Sequence[BallotIn]) -> list[str]:
        """One transaction, a handful of statements whatever the number of ballots: each
        lookup is one query for all of them, counters move in one executemany."""
        async with self.sessions.begin() as db:
            consultation_id = await self.ids.of(db, slug)
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
            participants = await _participants(db, consultation_id, fresh)
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
            new: list[Ballot] = []
            for ballot in ballots:
                if ballot.idempotency_key in seen_keys:
                    outcomes.append(DUPLICATE)
                    continue
                seen_keys.add(ballot.idempotency_key)
                participant = participants[ballot.participant]
                outcomes.append(_store(new, participant, ballot, cast, counts))
            if new:  # one executemany, not one INSERT a ballot as the session would
                await db.execute(insert(Ballot), [_columns(row) for row in new])
            if any(counts.values()):
                await db.execute(_BUMP, _bumps(counts))
        if self._counted is not None:  # committed
            self._counted(consultation_id, counts)
        return outcomes


def uncounted(ballot: Ballot) -> Update:
    """The statement that takes an erased ballot out of its proposal's counts."""
    counter = _COUNTER[ballot.choice.value]
    return update(Proposal).where(Proposal.id == ballot.proposal_id).values({counter: counter - 1})


async def _participants(
    db: AsyncSession, consultation_id: int, ballots: Sequence[BallotIn]
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


def _bumps(counts: Counter[tuple[int, str]]) -> list[dict[str, int]]:
    proposals = sorted({proposal for proposal, _ in counts})
    return [
        {"proposal": p, **{f"by_{name}": counts[p, name] for name in _COUNTER}} for p in proposals
    ]


# What a new ballot's INSERT writes; the database sets the rest.
_WRITTEN = (
    "participant_id",
    "proposal_id",
    "choice",
    "qualification",
    "channel",
    "idempotency_key",
)


def _columns(row: Ballot) -> dict[str, object]:
    return {column: getattr(row, column) for column in _WRITTEN}


def _store(
    new: list[Ballot],
    participant: Participant,
    b: BallotIn,
    cast: dict[tuple[int, int], Ballot],
    counts: Counter[tuple[int, str]],
) -> str:
    """Record one ballot in `cast` (the batch's ballots by participant and proposal) and its
    effect on the counters in `counts`: a first ballot goes into `new`, to be inserted; a
    ballot already stored is changed in place, and the session writes it at commit."""
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
        new.append(row)
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
