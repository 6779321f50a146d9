"""Ballots cast at the same moment share one transaction (api/group_commit.py), and each
caller still gets its own answer: its own count, or its own error."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import event, select

from api import db
from api.errors import Invalid
from api.loader import read_consultation
from api.models import Proposal
from api.schemas import BallotIn, BallotsOut
from api.state import MIGRATIONS, ApiState, build_state
from tests.conftest import DATA

SLUG = "test-city"


@pytest.fixture
async def api(tmp_path: Path) -> ApiState:
    state = build_state(f"sqlite+aiosqlite:///{tmp_path}/api.db", None, None)
    await db.upgrade(state.engine, MIGRATIONS)
    await state.service.load(read_consultation(DATA / "consultation.yaml"))
    yield state
    await state.engine.dispose()


def vote(resident: int, proposal: int, choice: str = "agree", key: str | None = None) -> BallotIn:
    return BallotIn(
        participant=f"resident-{resident:04d}",
        proposal_id=proposal,
        choice=choice,
        channel="sms",
        language="fr",
        idempotency_key=key or f"sms:SM{resident:04d}:{proposal}:{choice}",
    )


async def counts(api: ApiState) -> dict[int, tuple[int, int, int]]:
    """The running counts that results and the order of proposals read."""
    async with api.service.sessions() as session:
        rows = await session.execute(
            select(Proposal.id, Proposal.agree, Proposal.disagree, Proposal.skip)
        )
        return {id_: (agree, disagree, skip) for id_, agree, disagree, skip in rows}


async def test_many_residents_at_once_share_few_commits_and_all_are_counted(
    api: ApiState,
) -> None:
    commits = []
    event.listen(api.engine.sync_engine, "commit", lambda _conn: commits.append(1))
    answers = await asyncio.gather(
        *(api.service.cast_ballots(SLUG, [vote(r, 1)]) for r in range(40))
    )
    assert answers == [BallotsOut(stored=1, duplicates=0)] * 40
    assert (await counts(api))[1] == (40, 0, 0)
    assert 0 < len(commits) < 40


async def test_a_bad_ballot_fails_its_own_caller_only(api: ApiState) -> None:
    good = [api.service.cast_ballots(SLUG, [vote(r, 2)]) for r in range(5)]
    bad = api.service.cast_ballots(SLUG, [vote(99, 2), vote(99, 9999)])
    answers = await asyncio.gather(*good, bad, return_exceptions=True)
    assert answers[:5] == [BallotsOut(stored=1, duplicates=0)] * 5
    assert isinstance(answers[5], Invalid)
    assert (await counts(api))[2] == (5, 0, 0)  # nothing of the refused batch


async def test_a_vote_changed_and_retried_within_one_batch_counts_once(api: ApiState) -> None:
    first = vote(1, 3, "agree")
    answer = await api.service.cast_ballots(
        SLUG, [first, vote(1, 3, "disagree"), first, vote(2, 3, "skip")]
    )
    assert answer == BallotsOut(stored=3, duplicates=1)
    assert (await counts(api))[3] == (0, 1, 1)
    again = await api.service.cast_ballots(SLUG, [vote(1, 3, "disagree")])
    assert again == BallotsOut(stored=0, duplicates=1)
