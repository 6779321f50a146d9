"""What to show a participant next: the candidates read from the database, the choice left
to the selector (api/selection.py)."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, event, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, UOWTransaction

from api.candidates import Candidate, Selector
from api.models import Ballot, Participant, Proposal, ProposalStatus, ProposalTranslation
from api.rows import proposal_out
from api.schemas import ProposalOut

FRESH_SECONDS = 1.0  # how long every resident's top-ups share one read of the proposals


async def answered(db: AsyncSession, consultation_id: int, participant: str) -> list[int]:
    """The proposals a participant answered, as stored."""
    voted = (
        select(Ballot.proposal_id)
        .join(Participant, Participant.id == Ballot.participant_id)
        .where(Participant.consultation_id == consultation_id)
        .where(Participant.ref == participant)
        .order_by(Ballot.id)
    )
    return list(await db.scalars(voted))


def choose_next(
    selector: Selector,
    found: Accepted,
    participant: str,
    language: str,
    limit: int,
    exclude: Collection[int],
    voted: Collection[int] = (),
) -> list[ProposalOut]:
    """Accepted, never voted on (`voted`) nor in `exclude` (the bot's queue, in order: its
    last one is shown just before these), a proposal translated into their language counting
    as theirs. `found`: the accepted proposals, from `AcceptedProposals.read`."""
    candidates = found.candidates(language)
    seen = {*voted, *exclude}
    by_id = found.by_id(language)
    recent = [by_id[i] for i in list(exclude)[-1:] if i in by_id]
    # Noise seeded by the participant and their progress: residents arriving together
    # are spread over near-equal choices, and one state always gives one answer.
    rng = random.Random(f"{participant}:{len(seen)}")
    chosen = selector.choose(
        candidates, seen=seen, language=language, limit=limit, rng=rng, recent=recent
    )
    return [found.proposals[i] for i in chosen]


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
    """`choose_next`, the participant's ballots read afresh, never cached: whoever asks
    without knowing them all (the API's route) is never offered a proposal twice."""
    voted = await answered(db, consultation_id, participant)
    return choose_next(selector, found, participant, language, limit, exclude, voted)


@dataclass
class Accepted:
    """A consultation's accepted proposals as read at one moment, counts included."""

    read_at: float
    generation: int = 0  # the process's proposal changes committed before it was read
    proposals: dict[int, ProposalOut] = field(default_factory=dict)  # in arrival order
    # What the selector also weighs, by proposal: its author, its agree, disagree and skip.
    tallies: dict[int, tuple[str | None, int, int, int]] = field(default_factory=dict)
    _by_language: dict[str, tuple[list[Candidate], dict[int, Candidate]]] = field(
        default_factory=dict
    )

    def candidates(self, language: str) -> list[Candidate]:
        """A proposal translated into `language` counts as one in that language."""
        return self._of(language)[0]

    def by_id(self, language: str) -> dict[int, Candidate]:
        return self._of(language)[1]

    def _of(self, language: str) -> tuple[list[Candidate], dict[int, Candidate]]:
        if (known := self._by_language.get(language)) is None:
            candidates = [
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
            known = self._by_language[language] = candidates, {c.id: c for c in candidates}
        return known

    def count(self, moved: Mapping[tuple[int, str], int]) -> None:
        """Ballots this process just committed, by (proposal, choice): added to the counts
        until the next read brings everyone's."""
        for (proposal, choice), by in moved.items():
            if by and (tally := self.tallies.get(proposal)) is not None:
                author, *counts = tally
                counts[_CHOICES.index(choice)] += by
                self.tallies[proposal] = (author, *counts)
                self._by_language.clear()


_CHOICES = ("agree", "disagree", "skip")


class AcceptedProposals:
    """Every accepted proposal of a consultation, kept in process memory for every resident's
    top-up, read again at most once every `fresh_seconds` (by `clock`): the running counts a
    second old change no choice a resident could tell, and the rows themselves change only by
    moderation. The ballots this process commits are added to the counts at once (`count`); a
    change to a proposal committed in this process is seen at once; one made by another
    process (a moderator on another worker, the API running apart) at the next read.

    Residents arriving together share one read (in a session of its own: with SQLite's one
    connection, a caller must not hold it while waiting)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        fresh_seconds: float = FRESH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._engine = sessions.kw["bind"].sync_engine  # whose commits it is told of
        self._fresh_seconds = fresh_seconds
        self._clock = clock
        self._read: dict[int, Accepted] = {}
        self._reading: dict[int, tuple[int, asyncio.Future[Accepted]]] = {}

    async def read(self, consultation_id: int) -> Accepted:
        known = self._read.get(consultation_id)
        if known is not None and self._fresh(known):
            return known
        generation, reading = self._reading.get(consultation_id, (-1, None))
        if reading is None or reading.done() or generation < self._generation:
            generation = self._generation
            reading = asyncio.ensure_future(self._fetch(consultation_id, generation))
            self._reading[consultation_id] = generation, reading
        return await asyncio.shield(reading)

    def count(self, consultation_id: int, moved: Mapping[tuple[int, str], int]) -> None:
        """This process's ballots, committed: see `Accepted.count`."""
        if (known := self._read.get(consultation_id)) is not None:
            known.count(moved)

    def _fresh(self, known: Accepted) -> bool:
        age = self._clock() - known.read_at
        return age < self._fresh_seconds and known.generation == self._generation

    @property
    def _generation(self) -> int:
        return _generations.get(self._engine, 0)

    async def _fetch(self, consultation_id: int, generation: int) -> Accepted:
        found = Accepted(self._clock(), generation)
        async with self._sessions() as db:
            rows = await db.scalars(
                select(Proposal)
                .where(Proposal.consultation_id == consultation_id)
                .where(Proposal.status == ProposalStatus.ACCEPTED)
                .order_by(Proposal.id)
            )
            for row in rows:
                author = None if row.author_id is None else str(row.author_id)
                found.proposals[row.id] = proposal_out(row)
                found.tallies[row.id] = (author, row.agree, row.disagree, row.skip)
        if generation == self._generation:  # no change committed while this was read
            self._read[consultation_id] = found
        return found


# By engine (a worker's connection pool), how many of its transactions committed a change to
# a proposal that residents may be offered (or may no longer be): every read made before the
# last one is stale.
_generations: WeakKeyDictionary[Engine, int] = WeakKeyDictionary()
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
    if session.info.pop(_CHANGED, False) and session.bind is not None:
        engine = session.bind if isinstance(session.bind, Engine) else session.bind.engine
        _generations[engine] = _generations.get(engine, 0) + 1
