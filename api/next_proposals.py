"""What to show a participant next: the candidates read from the database, the choice left
to the selector (api/selection.py)."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, UOWTransaction

from api.candidates import Candidate, Selector
from api.models import Ballot, Participant, Proposal, ProposalStatus, ProposalTranslation
from api.rows import proposal_out
from api.schemas import ProposalOut

FRESH_SECONDS = 1.0  # how long every resident's top-ups share one read of the proposals


async def next_proposals(
    db: AsyncSession,
    consultation_id: int,
    selector: Selector,
    found: Accepted,
    participant: str,
    language: str,
    limit: int,
    exclude: Collection[int],
) -> list[ProposalOut]:
    """Accepted, never voted on nor in `exclude` (the bot's queue, in order: its last one is
    shown just before these), a proposal translated into their language counting as theirs.
    `found`: the accepted proposals, from `AcceptedProposals.read`."""
    candidates = found.candidates(language)
    voted = (
        select(Ballot.proposal_id)
        .join(Participant, Participant.id == Ballot.participant_id)
        .where(Participant.consultation_id == consultation_id)
        .where(Participant.ref == participant)
    )
    # Always read afresh, never cached: a resident is never offered a proposal twice.
    seen = {*await db.scalars(voted), *exclude}
    by_id = {c.id: c for c in candidates}
    recent = [by_id[i] for i in list(exclude)[-1:] if i in by_id]
    # Noise seeded by the participant and their progress: residents arriving together
    # are spread over near-equal choices, and one state always gives one answer.
    rng = random.Random(f"{participant}:{len(seen)}")
    chosen = selector.choose(
        candidates, seen=seen, language=language, limit=limit, rng=rng, recent=recent
    )
    return [found.proposals[i] for i in chosen]


@dataclass
class Accepted:
    """A consultation's accepted proposals as read at one moment, counts included."""

    read_at: float
    proposals: dict[int, ProposalOut] = field(default_factory=dict)  # in arrival order
    # What the selector also weighs, by proposal: its author, its agree, disagree and skip.
    tallies: dict[int, tuple[str | None, int, int, int]] = field(default_factory=dict)
    _by_language: dict[str, list[Candidate]] = field(default_factory=dict)

    def candidates(self, language: str) -> list[Candidate]:
        """A proposal translated into `language` counts as one in that language."""
        if (known := self._by_language.get(language)) is None:
            known = self._by_language[language] = [
                Candidate(
                    id=p.id,
                    theme=p.theme,
                    author=author,
                    language=language if language in p.translations else p.language,
                    order=p.id,
                    agree=agree,
                    disagree=disagree,
                    skip=skip,
                )
                for p, (author, agree, disagree, skip) in zip(
                    self.proposals.values(), self.tallies.values(), strict=True
                )
            ]
        return known


class AcceptedProposals:
    """Every accepted proposal of a consultation, read at most once a second for all the
    residents topping up their queues: the running counts a second old change no choice a
    resident could tell, and the rows themselves change only by moderation. A change to a
    proposal committed in this process is seen at once; one made by another process (another
    worker, the API running apart) within `FRESH_SECONDS`.

    Residents arriving together share one read (in a session of its own: with SQLite's one
    connection, a caller must not hold it while waiting)."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], fresh_seconds: float = FRESH_SECONDS
    ) -> None:
        self._sessions = sessions
        self._fresh_seconds = fresh_seconds
        self._read: dict[int, Accepted] = {}
        self._reading: dict[int, tuple[float, asyncio.Future[Accepted]]] = {}

    async def read(self, consultation_id: int) -> Accepted:
        known = self._read.get(consultation_id)
        if known is not None and self._fresh(known.read_at, time.monotonic()):
            return known
        started, reading = self._reading.get(consultation_id, (0.0, None))
        if reading is None or reading.done() or started <= _changed_at:
            started = time.monotonic()
            reading = asyncio.ensure_future(self._fetch(consultation_id, started))
            self._reading[consultation_id] = started, reading
        return await asyncio.shield(reading)

    def _fresh(self, read_at: float, now: float) -> bool:
        return now - read_at < self._fresh_seconds and read_at > _changed_at

    async def _fetch(self, consultation_id: int, now: float) -> Accepted:
        async with self._sessions() as db:
            rows = await db.scalars(
                select(Proposal)
                .where(Proposal.consultation_id == consultation_id)
                .where(Proposal.status == ProposalStatus.ACCEPTED)
                .order_by(Proposal.id)
            )
            found = Accepted(now)
            for row in rows:
                author = None if row.author_id is None else str(row.author_id)
                found.proposals[row.id] = proposal_out(row)
                found.tallies[row.id] = (author, row.agree, row.disagree, row.skip)
        if now > _changed_at:  # no change committed while this was read
            self._read[consultation_id] = found
        return found


# When a transaction of this process last committed a change to a proposal that residents
# may be offered (or may no longer be): every read before it is stale.
_changed_at = float("-inf")
_CHANGED = "parlons.proposals_changed"


@event.listens_for(Session, "after_flush")
def _note_proposal_changes(session: Session, _flush: UOWTransaction) -> None:
    def may_change_what_is_offered(row: object) -> bool:
        if isinstance(row, ProposalTranslation):
            return True
        if not isinstance(row, Proposal):
            return False
        # A resident's new idea waits for a moderator: it changes nothing offered.
        return row not in session.new or row.status is not ProposalStatus.PENDING

    if any(map(may_change_what_is_offered, (*session.new, *session.dirty, *session.deleted))):
        session.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _forget_what_changed(session: Session) -> None:
    global _changed_at
    if session.info.pop(_CHANGED, False):
        _changed_at = time.monotonic()
