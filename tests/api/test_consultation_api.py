"""The consultation API over HTTP: who may do what, idempotent ballots, the next proposals."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_api
from api.loader import read_consultation
from bot.app import create_app
from bot.settings import Settings
from tests.api.helpers import BASE, auth, ballot, next_ids, post_ballots
from tests.conftest import ADMIN_TOKEN, BOT_TOKEN, DATA, Phone, ServerThread, admin_get, results


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), (auth("not-a-token"), 401), (auth(BOT_TOKEN), 403), (auth(ADMIN_TOKEN), 200)],
    ids=["none", "unknown", "bot", "admin"],
)
def test_results_are_for_admins(client: TestClient, headers: dict, status: int) -> None:
    assert client.get(f"{BASE}/results", headers=headers).status_code == status


def test_ballots_need_the_bot_or_an_admin_token(client: TestClient) -> None:
    assert (
        client.post(
            f"{BASE}/ballots", json={"ballots": [ballot(1, "agree", "k-00000001")]}
        ).status_code
        == 401
    )
    assert post_ballots(client, ballot(1, "agree", "k-00000001")).status_code == 200
    assert (
        post_ballots(client, ballot(2, "agree", "k-00000002"), token=ADMIN_TOKEN).status_code == 200
    )


def test_a_retried_ballot_changes_nothing(client: TestClient) -> None:
    first = post_ballots(client, ballot(1, "agree", "key-retry-1")).json()
    retry = post_ballots(client, ballot(1, "agree", "key-retry-1")).json()
    assert first == {"stored": 1, "duplicates": 0}
    assert retry == {"stored": 0, "duplicates": 1}
    counted = [p for p in results(client).values() if p["id"] == 1][0]
    assert (counted["agree"], counted["votes"]) == (1, 1)


def test_one_ballot_per_participant_and_proposal_the_last_choice_counts(client: TestClient) -> None:
    post_ballots(client, ballot(1, "agree", "key-change-1"))
    post_ballots(client, ballot(1, "disagree", "key-change-2"))
    counted = [p for p in results(client).values() if p["id"] == 1][0]
    assert (counted["agree"], counted["disagree"], counted["votes"]) == (0, 1, 1)


def test_a_ballot_on_an_unknown_proposal_is_refused_whole(client: TestClient) -> None:
    response = post_ballots(
        client, ballot(1, "agree", "key-ok-0001"), ballot(999, "agree", "key-bad-001")
    )
    assert response.status_code == 422
    assert sum(p["votes"] for p in results(client).values()) == 0


def test_next_proposals_leave_out_what_was_voted(client: TestClient) -> None:
    post_ballots(client, ballot(1, "agree", "key-next-001"))
    response = client.get(
        f"{BASE}/participants/ref-aaaaaaaa/next",
        params={"language": "fr", "limit": 5, "exclude": [3]},
        headers=auth(BOT_TOKEN),
    )
    assert [p["id"] for p in response.json()] == [2, 4]  # French first, then English


def test_openapi_and_docs_are_served(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/v1/consultations/{slug}/ballots" in paths
    assert "/webhooks/twilio/sms" not in paths  # webhooks are for Twilio, not API users
    assert client.get("/docs").status_code == 200


def test_a_conversation_with_the_api_running_apart(settings: Settings, tmp_path) -> None:  # noqa: ANN001
    """The bot reaches a separate API process over real HTTP with its own token."""
    api = create_api(
        settings.database_url,  # PostgreSQL too, in the second run of `make test`
        ADMIN_TOKEN,
        BOT_TOKEN,
        read_consultation(DATA / "consultation.yaml"),
    )
    with ServerThread(api) as server:
        settings.api_url = server.url
        settings.database_url = f"sqlite+aiosqlite:///{tmp_path}/bot.db"
        with TestClient(create_app(settings)) as bot:
            phone = Phone(bot, "+33639980110")
            assert "Proposition 1 : " in phone.send("Bonjour")
            phone.send("1")
            phone.send("2")
            assert (
                "/api/v1/consultations/{slug}/ballots"
                not in bot.get("/openapi.json").json()["paths"]
            )
        # Over HTTP from the running API (its connections belong to the server's loop).
        with httpx.Client(base_url=server.url) as api_client:
            counted = results(api_client)
    assert [(p["agree"], p["disagree"]) for p in sorted(counted.values(), key=lambda p: p["id"])][
        :2
    ] == [
        (1, 0),
        (0, 1),
    ]


def test_a_profile_is_set_in_parts_and_erase_removes_ballots_and_profile(
    client: TestClient,
) -> None:
    bot = auth(BOT_TOKEN)
    at = f"{BASE}/participants/ref-erase-01"
    client.put(f"{at}/profile", json={"channel": "sms", "district": "bourtzwiller"}, headers=bot)
    profile = client.put(f"{at}/profile", json={"channel": "sms", "age_band": "30-44"}, headers=bot)
    assert (profile.json()["district"], profile.json()["age_band"]) == ("bourtzwiller", "30-44")
    post_ballots(client, ballot(1, "agree", "key-erase-01", participant="ref-erase-01"))
    post_ballots(client, ballot(2, "disagree", "key-erase-02", participant="ref-erase-01"))
    assert client.delete(at, headers=bot).json() == {"ballots": 2}
    summary = admin_get(client, f"{BASE}/results")
    assert summary["participants"] == 0
    assert sum(p["votes"] for p in summary["proposals"]) == 0
    assert client.delete(at, headers=bot).json() == {"ballots": 0}  # erasing twice is harmless


def test_a_qualification_after_a_vote_is_counted_without_a_second_vote(
    client: TestClient,
) -> None:
    post_ballots(client, ballot(1, "agree", "key-qual-01"))
    post_ballots(client, {**ballot(1, "agree", "key-qual-02"), "qualification": "favourite"})
    counted = [p for p in results(client).values() if p["id"] == 1][0]
    assert (counted["agree"], counted["votes"]) == (1, 1)
    assert counted["qualifications"] == {"favourite": 1}


def test_an_idea_keeps_the_flags_the_bot_raised(client: TestClient) -> None:
    idea = {
        "participant": "ref-flag-0001",
        "text": "Mon voisin me frappe",
        "language": "fr",
        "channel": "sms",
        "idempotency_key": "sms:SMflag:0",
        "flags": ["safeguarding"],
    }
    created = client.post(f"{BASE}/ideas", json=idea, headers=auth(BOT_TOKEN)).json()
    assert created["flags"] == ["safeguarding"] and created["status"] == "pending"


def test_next_gives_a_new_proposal_its_hearing_before_well_voted_ones(client: TestClient) -> None:
    """Our selector (api/selection.py) serves the API: a proposal under 10 votes gets the first
    place even in another language, where the old order (French first, fewest votes) put the
    well-voted French ones before it."""
    for n in range(12):
        post_ballots(
            client,
            *(
                ballot(p, "agree", f"key-heard-{n}-{p}", participant=f"ref-voter-{n:02d}")
                for p in (1, 2, 3)
            ),
        )
    assert client.app.state.parlons_api.service.selector.name == "parlons"
    assert next_ids(client, "ref-newcomer", limit=1) == [4]  # "We need a repair café" (en)


def test_next_keeps_one_theme_from_following_itself(client: TestClient) -> None:
    """Proposals 3 and 4 share the theme "wellbeing": when the bot's queue ends on one of them,
    the other does not come next while a proposal of another theme is left."""
    for _ in range(20):  # the selector draws a little noise: it must hold every time
        assert next_ids(client, "ref-themes", limit=1, exclude=(1, 3)) == [2]
        assert next_ids(client, "ref-themes", limit=2, exclude=(4,))[0] != 3
