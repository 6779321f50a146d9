"""Ballots: one per participant and proposal, the last choice counting, each idempotency key
stored once, and the proposals' running counts moved with them."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Update, bindparam, case, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.errors import Invalid
from api.group_commit import GroupCommit
from api.models import Ballot, Choice, Participant, Proposal, Qualification
from api.rows import ConsultationIds
from api.schemas import BallotIn, BallotsOut

log = logging.getLogger(__name__)
Counted = Callable[[int, Mapping[tuple[int, str], int]], None]

STORED, UNCHANGED, DUPLICATE = "stored", "unchanged", "duplicate"
_COUNTER = {"agree": Proposal.agree, "disagree": Proposal.disagree, "skip": Proposal.skip}
_PROPOSALS = Proposal.__table__


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
        """One transaction, a handful of set-based Core statements whatever the number of
        ballots (no ORM unit of work): each lookup is one query for all of them, the new
        ballots one multi-row INSERT, the counters one UPDATE."""
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
            cast: dict[tuple[int, int], Cast] = {}
            if fresh:
                rows = await db.execute(
                    select(*_CAST)
                    .where(Ballot.participant_id.in_({p.id for p in participants.values()}))
                    .where(Ballot.proposal_id.in_(proposal_ids))
                )
                cast = {(r.participant_id, r.proposal_id): Cast(*r) for r in rows}
            counts: Counter[tuple[int, str]] = Counter()
            outcomes = []
            for ballot in ballots:
                if ballot.idempotency_key in seen_keys:
                    outcomes.append(DUPLICATE)
                    continue
                seen_keys.add(ballot.idempotency_key)
                participant = participants[ballot.participant]
                outcomes.append(_store(participant, ballot, cast, counts))
            new = [c.new_row() for c in cast.values() if c.id is None]
            if new:  # one statement, not one INSERT a ballot as the session would
                await db.execute(insert(_BALLOTS).values(new))
            if changed := [c.changed_row() for c in cast.values() if c.id is not None and c.dirty]:
                await db.execute(_CHANGE, changed)
            if any(counts.values()):
                await db.execute(_bump(counts))
        if self._counted is not None:  # committed
            self._counted(consultation_id, counts)
        return outcomes


def uncounted(ballot: Ballot) -> Update:
    """The statement that takes an erased ballot out of its proposal's counts."""
    counter = _COUNTER[ballot.choice.value]
    return update(Proposal).where(Proposal.id == ballot.proposal_id).values({counter: counter - 1})


async def _participants(
    db: AsyncSession, consultation_id: int, ballots: Sequence[BallotIn]
) -> dict[str, Voter]:
    """The ballots' participants by ref, those voting for the first time created (one
    multi-row INSERT), a language that changed written (one executemany)."""
    refs = {b.participant for b in ballots}
    if not refs:
        return {}
    found = {
        r.ref: Voter(r.id, r.simulated, r.language)
        for r in await db.execute(
            select(*(_PARTICIPANTS.c[name] for name in ("id", "ref", "simulated", "language")))
            .where(_PARTICIPANTS.c.consultation_id == consultation_id)
            .where(_PARTICIPANTS.c.ref.in_(refs))
        )
    }
    first: dict[str, dict[str, object]] = {}
    relabel: dict[int, str] = {}
    for b in ballots:
        if (known := found.get(b.participant)) is not None:
            if b.language and known.language != b.language:
                known.language = relabel[known.id] = b.language
        elif (row := first.get(b.participant)) is None:
            first[b.participant] = {
                "consultation_id": consultation_id,
                "ref": b.participant,
                "channel": b.channel,
                "language": b.language,
            }
        elif b.language:  # the last language given counts
            row["language"] = b.language
    if first:
        rows = await db.execute(
            insert(_PARTICIPANTS)
            .values(list(first.values()))
            .returning(_PARTICIPANTS.c.id, _PARTICIPANTS.c.ref)
        )
        for r in rows:
            found[r.ref] = Voter(r.id, False, first[r.ref]["language"])
    if relabel:
        await db.execute(
            _PARTICIPANTS.update()
            .where(_PARTICIPANTS.c.id == bindparam("participant"))
            .values(language=bindparam("new_language")),
            [{"participant": i, "new_language": lang} for i, lang in relabel.items()],
        )
    return found


def _bump(counts: Counter[tuple[int, str]]) -> Update:
    """Every counter of every proposal moved, in one UPDATE."""
    proposals = sorted({proposal for (proposal, _), by in counts.items() if by})
    moved = {
        name: _PROPOSALS.c[name]
        + case(
            {p: counts[p, name] for p in proposals if counts[p, name]},
            value=_PROPOSALS.c.id,
            else_=0,
        )
        for name in _COUNTER
        if any(counts[p, name] for p in proposals)
    }
    return _PROPOSALS.update().where(_PROPOSALS.c.id.in_(proposals)).values(moved)


@dataclass(slots=True)
class Voter:
    id: int
    simulated: bool
    language: str | None


_BALLOTS = Ballot.__table__
_PARTICIPANTS = Participant.__table__
_CAST = (
    Ballot.id,
    Ballot.participant_id,
    Ballot.proposal_id,
    Ballot.choice,
    Ballot.qualification,
    Ballot.channel,
    Ballot.idempotency_key,
)
# A ballot already stored, changed: one executemany for all of them.
_CHANGE = (
    _BALLOTS.update()
    .where(_BALLOTS.c.id == bindparam("ballot"))
    .values(
        choice=bindparam("new_choice"),
        qualification=bindparam("new_qualification"),
        channel=bindparam("new_channel"),
        idempotency_key=bindparam("new_key"),
    )
)


@dataclass(slots=True)
class Cast:
    """A participant's ballot on a proposal within the batch: stored (`id`) or new."""

    id: int | None
    participant_id: int
    proposal_id: int
    choice: Choice
    qualification: Qualification | None
    channel: str
    idempotency_key: str
    dirty: bool = False

    def new_row(self) -> dict[str, object]:
        return {
            "participant_id": self.participant_id,
            "proposal_id": self.proposal_id,
            "choice": self.choice,
            "qualification": self.qualification,
            "channel": self.channel,
            "idempotency_key": self.idempotency_key,
        }

    def changed_row(self) -> dict[str, object]:
        return {
            "ballot": self.id,
            "new_choice": self.choice,
            "new_qualification": self.qualification,
            "new_channel": self.channel,
            "new_key": self.idempotency_key,
        }


def _store(
    participant: Voter,
    b: BallotIn,
    cast: dict[tuple[int, int], Cast],
    counts: Counter[tuple[int, str]],
) -> str:
    """Record one ballot in `cast` (the batch's ballots by participant and proposal) and its
    effect on the counters in `counts`: a first ballot is new, to be inserted; a ballot
    already stored is changed in place, to be updated."""
    # A simulated participant's ballot is kept (its conversation goes on as a resident's
    # would) but never reaches the running counts that results and ordering read.
    counted = 0 if participant.simulated else 1
    existing = cast.get((participant.id, b.proposal_id))
    if existing is None:
        cast[participant.id, b.proposal_id] = Cast(
            None,
            participant.id,
            b.proposal_id,
            b.choice,
            b.qualification,
            b.channel,
            b.idempotency_key,
        )
        counts[b.proposal_id, b.choice.value] += counted
        return STORED
    existing.idempotency_key = b.idempotency_key
    existing.dirty = True
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
