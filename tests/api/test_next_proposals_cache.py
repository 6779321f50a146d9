"""The accepted proposals are read once a second for every resident's top-up
(api/next_proposals.py): what a moderator decides is still seen at once, and a resident is
never offered a proposal they answered."""

from __future__ import annotations

from fastapi.testclient import TestClient

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
