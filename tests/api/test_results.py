"""Results through the HTTP API: a ranking robust to few votes, filters, participation,
consensus, controversy and opinion groups."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient

from api.analysis import controversy, opinion_groups, wilson
from bot.settings import Settings
from tests.api.helpers import cast_at, vote
from tests.conftest import ADMIN_TOKEN, BOT_TOKEN

BASE = "/api/v1/consultations/test-city"
BOT, ADMIN = {"Authorization": f"Bearer {BOT_TOKEN}"}, {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def profile(client: TestClient, who: str, **parts: str | bool) -> None:
    response = client.put(
        f"{BASE}/participants/{who}/profile", json={"channel": "sms", **parts}, headers=BOT
    )
    assert response.status_code == 200, response.text


def get_results(client: TestClient, **filters: str) -> dict:
    response = client.get(f"{BASE}/results", params=filters, headers=ADMIN)
    assert response.status_code == 200, response.text
    return response.json()


def test_three_agrees_out_of_three_do_not_outrank_nine_out_of_ten(client: TestClient) -> None:
    for n in range(3):
        vote(client, f"ref-few-{n:04d}", {1: "agree"})
    for n in range(10):
        vote(client, f"ref-many-{n:04d}", {2: "agree" if n < 9 else "disagree"})
    ranked = get_results(client)["proposals"]
    first, second = ranked[0], ranked[1]
    assert (first["id"], first["agree_rate"]) == (2, 0.9)
    assert (second["id"], second["agree_rate"]) == (1, 1.0)
    assert first["agree_low"] > second["agree_low"]
    assert second["agree_low"] < second["agree_rate"] <= second["agree_high"]


def test_filters_count_only_the_matching_participants(client: TestClient) -> None:
    profile(client, "ref-dornach-1", district="dornach", age_band="30-44")
    profile(client, "ref-rebberg-1", district="rebberg")
    vote(client, "ref-dornach-1", {1: "agree", 2: "agree"})
    vote(client, "ref-rebberg-1", {1: "disagree"}, channel="voice")
    vote(client, "ref-nowhere-1", {1: "skip"}, channel="telegram")

    dornach = get_results(client, district="dornach")
    assert (dornach["participants"], dornach["ballots"]) == (1, 2)
    assert dornach["filters"]["district"] == "dornach"
    by_id = {p["id"]: p for p in dornach["proposals"]}
    assert (by_id[1]["agree"], by_id[1]["disagree"]) == (1, 0)

    voice = get_results(client, channel="voice")
    assert (voice["participants"], voice["ballots"]) == (1, 1)
    assert get_results(client, age_band="30-44", district="rebberg")["ballots"] == 0

    everyone = get_results(client)
    assert everyone["participation"]["channel"] == {
        "sms": {"participants": 1, "ballots": 2},
        "telegram": {"participants": 1, "ballots": 1},
        "voice": {"participants": 1, "ballots": 1},
    }
    assert everyone["participation"]["district"] == {
        "dornach": {"participants": 1, "ballots": 2},
        "rebberg": {"participants": 1, "ballots": 1},
        "unknown": {"participants": 1, "ballots": 1},
    }


def test_participation_per_day_counts_ballots_and_newcomers(
    client: TestClient, settings: Settings
) -> None:
    vote(client, "ref-monday-01", {1: "agree", 2: "agree"})
    vote(client, "ref-monday-02", {1: "disagree"}, channel="telegram")
    vote(client, "ref-monday-01", {3: "skip"})
    vote(client, "ref-quiet-001", {1: "agree"}, channel="voice")
    profile(client, "ref-sim-0001", simulated=True)
    vote(client, "ref-sim-0001", {1: "agree"})
    for who, proposal, moment in [
        ("ref-monday-01", 1, "2026-03-02T08:00"),
        ("ref-monday-01", 2, "2026-03-02T23:59"),
        ("ref-monday-02", 1, "2026-03-02T12:00"),
        ("ref-monday-01", 3, "2026-03-04T00:01"),  # a second day: not a newcomer again
        ("ref-quiet-001", 1, "2026-03-04T18:30"),
        ("ref-sim-0001", 1, "2026-03-05T10:00"),  # simulated: never counted
    ]:
        cast_at(settings, who, proposal, moment)

    assert get_results(client)["timeline"] == [
        {"day": "2026-03-02", "ballots": 3, "participants": 2,
         "channels": {"sms": 2, "telegram": 1}},
        {"day": "2026-03-03", "ballots": 0, "participants": 0, "channels": {}},
        {"day": "2026-03-04", "ballots": 2, "participants": 1,
         "channels": {"sms": 1, "voice": 1}},
    ]  # fmt: skip
    # The same filters as the rest of the results.
    assert get_results(client, channel="sms")["timeline"] == [
        {"day": "2026-03-02", "ballots": 2, "participants": 1, "channels": {"sms": 2}},
        {"day": "2026-03-03", "ballots": 0, "participants": 0, "channels": {}},
        {"day": "2026-03-04", "ballots": 1, "participants": 0, "channels": {"sms": 1}},
    ]
    assert get_results(client, district="nowhere")["timeline"] == []


def test_two_camps_make_two_groups_and_what_unites_them_comes_first(client: TestClient) -> None:
    """Camp A agrees with 1 and 2, camp B with 3; both with 4, which unites them."""
    camps = {
        "a": {1: "agree", 2: "agree", 3: "disagree", 4: "agree"},
        "b": {1: "disagree", 2: "disagree", 3: "agree", 4: "agree"},
    }
    for camp, choices in camps.items():
        for n in range(12):
            vote(client, f"ref-camp-{camp}-{n:02d}", choices)
    data = get_results(client)
    assert sorted(g["participants"] for g in data["groups"]) == [12, 12]
    distinctive = sorted(tuple(sorted(g["distinctive"])) for g in data["groups"])
    assert distinctive == [(1, 2), (3,)]
    assert data["uniting"][0] == 4
    by_id = {p["id"]: p for p in data["proposals"]}
    assert by_id[4]["consensus"] > 0.8 > by_id[1]["consensus"]
    assert by_id[1]["controversy"] > 0.5 > by_id[4]["controversy"] == 0.0
    assert [s["agree_rate"] for s in by_id[4]["groups"]] == [1.0, 1.0]


def test_too_few_participants_make_no_groups(client: TestClient) -> None:
    for n in range(5):
        vote(client, f"ref-alone-{n:02d}", {1: "agree", 2: "disagree", 3: "agree", 4: "skip"})
    data = get_results(client)
    assert data["groups"] == [] and data["uniting"] == []


@pytest.mark.parametrize(
    ("agree", "n", "low", "high"),
    [(90, 100, 0.8256, 0.9448), (0, 10, 0.0, 0.2775), (5, 10, 0.2366, 0.7634)],
)
def test_wilson_interval_matches_the_published_values(
    agree: int, n: int, low: float, high: float
) -> None:
    assert wilson(agree, n) == pytest.approx((low, high), abs=1e-4)


def test_controversy_is_high_only_for_many_evenly_split_votes() -> None:
    assert controversy(500, 500) > 0.9
    assert controversy(5, 5) < controversy(50, 50)
    assert controversy(95, 5) < 0.1 and controversy(0, 0) == 0.0


def test_participants_with_few_votes_are_left_out_of_groups() -> None:
    rng = np.random.default_rng(3)
    matrix = np.where(rng.random((40, 10)) < 0.5, 1.0, -1.0)
    matrix[:5, 3:] = np.nan  # 3 votes each: under Pol.is's minimum of 7
    groups = opinion_groups(matrix)
    assert (groups.labels[:5] == -1).all() and (groups.labels[5:] >= 0).all()
