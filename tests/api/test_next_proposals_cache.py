"""The accepted proposals are read once a second for every resident's top-up
(api/next_proposals.py): what a moderator decides is still seen at once, and a resident is
never offered a proposal they answered."""

from __future__ import annotations

import asyncio

from fastapi.testclient import TestClient
from sqlalchemy import event

from api.db import create_engine, sessionmaker
from api.next_proposals import FRESH_SECONDS
from api.service import ConsultationService
from bot.settings import Settings
from tests.api.helpers import ballot, idea, new_token, next_ids, post_ballots
from tests.conftest import ADMIN_TOKEN

BASE = "/api/v1/consultations/test-city"


def test_an_accepted_idea_is_offered_at_once(client: TestClient) -> None:
    before = next_ids(client, "ref-reader-01", limit=50)  # the proposals, read and kept
    moderator = new_token(client, "carol", "moderator")
    proposal = idea(client, "Des fontaines à eau dans chaque parc")["id"]
    assert client.post(f"{BASE}/proposals/{proposal}/accept", headers=moderator).is_success
    assert proposal not in before
    assert proposal in next_ids(client, "ref-reader-02", limit=50)


def test_a_withdrawn_proposal_is_offered_no_more_at_once(client: TestClient) -> None:
    assert 2 in next_ids(client, "ref-reader-03", limit=50)
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    response = client.post(
        f"{BASE}/proposals/2/reject", json={"reason": "off_topic"}, headers=admin
    )
    assert response.is_success, response.text
    assert 2 not in next_ids(client, "ref-reader-04", limit=50)


def test_a_vote_just_cast_is_never_offered_again(client: TestClient) -> None:
    first = next_ids(client, "ref-voter-01", limit=1)
    post_ballots(client, ballot(first[0], "agree", "key-cache-001", participant="ref-voter-01"))
    # Within the second the proposals are kept: the resident's own ballots are read afresh.
    assert first[0] not in next_ids(client, "ref-voter-01", limit=50)


def test_a_decision_made_on_one_worker_reaches_another_at_its_next_read(
    client: TestClient, settings: Settings
) -> None:
    """Two workers on one database: the second keeps the accepted proposals in memory, and
    sees the first one's moderator once its clock says the proposals are read again."""
    moved = [0.0]

    async def scenario() -> None:
        engine = create_engine(settings.database_url)
        other = ConsultationService(sessionmaker(engine), clock=lambda: moved[0])
        try:

            async def offered() -> set[int]:
                chosen = await other.next_proposals("test-city", "ref-other-01", "fr", 50, (), True)
                return {p.id for p in chosen}

            before = await offered()
            assert 2 in before
            moderator = new_token(client, "dora", "moderator")
            proposal = idea(client, "Des toilettes publiques ouvertes la nuit")["id"]
            accepted = client.post(f"{BASE}/proposals/{proposal}/accept", headers=moderator)
            admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
            rejected = client.post(
                f"{BASE}/proposals/2/reject", json={"reason": "off_topic"}, headers=admin
            )
            assert accepted.is_success and rejected.is_success
            assert await offered() == before  # kept in memory: no read until the refresh
            moved[0] += FRESH_SECONDS
            after = await offered()
            assert proposal in after
            assert 2 not in after
        finally:
            await engine.dispose()

    asyncio.run(scenario())


def test_a_top_up_that_knows_the_answers_sends_no_statement(
    client: TestClient, settings: Settings
) -> None:
    """The bot's session holds every proposal answered: with the proposals in memory, the
    database sees nothing at all."""

    async def scenario() -> None:
        engine = create_engine(settings.database_url)
        service = ConsultationService(sessionmaker(engine), clock=lambda: 0.0)
        seen: list[str] = []
        event.listen(engine.sync_engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
        try:
            first = await service.next_proposals("test-city", "ref-known-01", "fr", 2, (), True)
            seen.clear()
            answered = [p.id for p in first]
            again = await service.next_proposals(
                "test-city", "ref-known-01", "fr", 50, answered, True
            )
            assert again and not {p.id for p in again} & set(answered)
            assert seen == []
        finally:
            await engine.dispose()

    asyncio.run(scenario())
