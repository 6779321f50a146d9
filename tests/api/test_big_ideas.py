"""Big ideas through the HTTP API: an analyst groups, renames, merges, splits and re-arranges
them, every change in the audit trail; a proposal is in one big idea at most; results per big
idea against figures computed by hand, sorted as Make.org publishes them."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.helpers import ADMIN, BOT, auth, vote

BASE = "/api/v1/consultations/test-city"
IDEAS = f"{BASE}/big-ideas"


def analyst(client: TestClient, name: str = "carla") -> dict[str, str]:
    created = client.post("/api/v1/tokens", json={"name": name, "role": "analyst"}, headers=ADMIN)
    assert created.status_code == 201, created.text
    return auth(created.json()["token"])


def create(client: TestClient, who: dict, title: str, proposals: list[int]) -> dict:
    response = client.post(
        IDEAS, json={"title": {"fr": title}, "proposals": proposals}, headers=who
    )
    assert response.status_code == 201, response.text
    return response.json()


def listed(client: TestClient, who: dict) -> dict[str, list[int]]:
    response = client.get(IDEAS, headers=who)
    assert response.status_code == 200, response.text
    return {idea["title"]["fr"]: idea["proposals"] for idea in response.json()}


def test_an_analyst_edits_big_ideas_and_nothing_else(client: TestClient) -> None:
    carla = analyst(client)
    made = create(client, carla, "Se nourrir et se reposer", [1, 3])
    assert made["proposals"] == [1, 3]
    assert client.post(f"{BASE}/proposals/1/accept", headers=carla).status_code == 403
    assert client.patch(f"{BASE}/proposals/1", json={"text": "x"}, headers=carla).status_code == 403
    assert client.put(f"{BASE}/proposals/1/quote", headers=carla).status_code == 403
    # the bot has no business here
    assert client.get(IDEAS, headers=BOT).status_code == 403
    assert client.post(IDEAS, json={"title": {"fr": "x"}}, headers=BOT).status_code == 403
    log = client.get(f"{IDEAS}/log", headers=ADMIN).json()
    assert [(e["actor"], e["action"], e["cluster_id"]) for e in log] == [
        ("carla", "create", made["id"])
    ]


def test_a_proposal_is_in_one_big_idea_at_most(client: TestClient) -> None:
    carla = analyst(client)
    first = create(client, carla, "Manger", [1, 2])
    second = create(client, carla, "Bouger", [2, 3])
    assert listed(client, carla) == {"Manger": [1], "Bouger": [2, 3]}
    newest = client.get(f"{IDEAS}/log", headers=carla).json()[0]
    assert newest["change"]["from"] == {str(first["id"]): [2]}
    # re-arranging takes proposals from where they were, and lets go of the others
    moved = client.put(
        f"{IDEAS}/{first['id']}/proposals", json={"proposals": [3, 4]}, headers=carla
    )
    assert moved.status_code == 200, moved.text
    assert listed(client, carla) == {"Manger": [3, 4], "Bouger": [2]}
    assert second["id"] != first["id"]


def test_merge_split_rename_and_delete_each_leave_a_trace(client: TestClient) -> None:
    carla = analyst(client)
    a = create(client, carla, "Aide", [1])
    b = create(client, carla, "Parcs", [3, 4])

    merged = client.post(f"{IDEAS}/{a['id']}/merge", json={"other": b["id"]}, headers=carla)
    assert merged.json()["proposals"] == [1, 3, 4]
    assert (
        client.patch(f"{IDEAS}/{b['id']}", json={"title": {"fr": "x"}}, headers=carla).status_code
        == 404
    )

    split = client.post(
        f"{IDEAS}/{a['id']}/split",
        json={"title": {"fr": "Réparer"}, "proposals": [4]},
        headers=carla,
    )
    assert split.status_code == 201, split.text
    assert listed(client, carla) == {"Aide": [1, 3], "Réparer": [4]}
    everything = client.post(
        f"{IDEAS}/{a['id']}/split",
        json={"title": {"fr": "Tout"}, "proposals": [1, 3]},
        headers=carla,
    )
    assert everything.status_code == 422  # a split leaves something behind
    stranger = client.post(
        f"{IDEAS}/{a['id']}/split", json={"title": {"fr": "Non"}, "proposals": [4]}, headers=carla
    )
    assert stranger.status_code == 422

    renamed = client.patch(
        f"{IDEAS}/{a['id']}",
        json={"title": {"en": "Help"}, "description": {"fr": "Entraide et parcs"}},
        headers=carla,
    ).json()
    assert renamed["title"] == {"fr": "Aide", "en": "Help"}
    assert renamed["description"] == {"fr": "Entraide et parcs"}

    assert client.delete(f"{IDEAS}/{split.json()['id']}", headers=carla).status_code == 204
    assert listed(client, carla) == {"Aide": [1, 3]}

    log = client.get(f"{IDEAS}/log", headers=carla).json()
    assert [e["action"] for e in reversed(log)] == [
        "create",
        "create",
        "merge",
        "delete",
        "split",
        "create",
        "rename",
        "delete",
    ]
    rename = next(e for e in log if e["action"] == "rename")
    assert rename["change"]["title"] == [{"fr": "Aide"}, {"fr": "Aide", "en": "Help"}]
    merge = next(e for e in log if e["action"] == "merge")
    assert merge["change"]["merged"] == b["id"] and merge["change"]["proposals"] == [3, 4]


def test_what_cannot_be_a_big_idea_is_refused(client: TestClient) -> None:
    carla = analyst(client)
    pending = client.post(
        f"{BASE}/ideas",
        json={
            "participant": "ref-author-01",
            "text": "Une piscine ouverte le soir.",
            "language": "fr",
            "channel": "sms",
            "idempotency_key": "idea-big-1",
        },
        headers=BOT,
    )
    assert pending.status_code in (200, 201), pending.text
    not_accepted = pending.json()["id"]
    for body in (
        {"title": {"fr": "x"}, "proposals": [not_accepted]},  # still pending
        {"title": {"fr": "x"}, "proposals": [999]},  # no such proposal
        {"title": {"de": "x"}, "proposals": [1]},  # German is not offered, French missing
        {"title": {"en": "x"}, "proposals": [1]},  # no title in the default language
        {"title": {}, "proposals": [1]},
    ):
        assert client.post(IDEAS, json=body, headers=carla).status_code == 422, body
    assert listed(client, carla) == {}
    a = create(client, carla, "Seule", [1])
    assert (
        client.post(f"{IDEAS}/{a['id']}/merge", json={"other": a["id"]}, headers=carla).status_code
        == 422
    )
    assert client.get(f"{IDEAS}/log", headers=carla).json()[0]["action"] == "create"


def test_results_per_big_idea_against_hand_computed_figures(client: TestClient) -> None:
    """Big idea "Manger et bouger" = proposals 1 and 2: 20 residents agree with both (40 agree
    out of 40): rate 1, and every bootstrap draw gives 1, so the interval is [1, 1]: widely
    supported. Each proposal: 20 agree of 20, Wilson lower bound 20 / (20 + 1.96^2) = 0.8389.
    "Bancs" = proposal 3: 40 residents, 20 agree and 20 disagree: rate 0.5; drawing residents,
    the share is Binomial(40, 1/2) / 40, whose 2.5 % quantile is 14/40 = 0.35 (P(X <= 13) =
    0.019, P(X <= 14) = 0.040); 2,000 draws land within a step: controversy 2 x 0.35 = 0.7,
    at least 0.6: controversial. "Réparer" = proposal 4: 20 residents by phone, all disagree:
    the interval is [0, 0]: rejected. Published order: supported, controversial, rejected."""
    carla = analyst(client)
    for n in range(20):
        vote(client, f"ref-eat-{n:05d}", {1: "agree", 2: "agree"})
    for n in range(40):
        vote(client, f"ref-bench-{n:04d}", {3: "agree" if n % 2 else "disagree"})
    for n in range(20):
        vote(client, f"ref-fix-{n:05d}", {4: "disagree"}, channel="voice")
    repair = create(client, carla, "Réparer", [4])
    benches = create(client, carla, "Bancs", [3])
    eat = create(client, carla, "Manger et bouger", [1, 2])

    response = client.get(f"{IDEAS}/results", headers=carla)
    assert response.status_code == 200, response.text
    found = response.json()
    assert [i["cluster"]["id"] for i in found["ideas"]] == [eat["id"], benches["id"], repair["id"]]
    first, second, third = found["ideas"]

    assert (first["residents"], first["agree"], first["disagree"]) == (20, 40, 0)
    assert (first["agree_rate"], first["agree_low"], first["agree_high"]) == (1.0, 1.0, 1.0)
    assert first["verdict"] == "widely_supported"
    assert [(s["id"], s["agree"]) for s in first["most_supported"]] == [(1, 20), (2, 20)]
    assert first["most_supported"][0]["agree_low"] == pytest.approx(20 / (20 + 1.96**2), abs=1e-3)

    assert (second["residents"], second["agree"], second["disagree"]) == (40, 20, 20)
    assert second["agree_rate"] == 0.5
    assert 0.325 <= second["agree_low"] <= 0.375 and 0.625 <= second["agree_high"] <= 0.675
    assert second["controversy"] == pytest.approx(
        2 * min(second["agree_low"], 1 - second["agree_high"])
    )
    assert second["verdict"] == "controversial"

    assert (third["residents"], third["agree"], third["disagree"]) == (20, 0, 20)
    assert (third["agree_low"], third["agree_high"]) == (0.0, 0.0)
    assert third["verdict"] == "rejected"
    assert third["participation"]["channel"] == {"voice": {"participants": 20, "ballots": 20}}

    assert found["outside"] == 0
    assert found["thresholds"]["widely_supported_low_at_least"] == pytest.approx(2 / 3, abs=1e-4)


def test_a_suggestion_is_only_a_suggestion(client: TestClient) -> None:
    carla = analyst(client)
    response = client.post(f"{IDEAS}/suggest", headers=carla)
    assert response.status_code == 200, response.text
    suggested = response.json()
    assert sorted(p for s in suggested for p in s["proposals"]) == [1, 2, 3, 4]
    assert all("shared_words" in s and "shared_voters" in s for s in suggested)
    assert listed(client, carla) == {}  # nothing stored until a person creates it
    assert client.get(f"{IDEAS}/log", headers=carla).json() == []


def test_a_moderator_chooses_quotes_for_the_report(client: TestClient) -> None:
    quoted = client.put(f"{BASE}/proposals/2/quote", headers=ADMIN)
    assert quoted.status_code == 200, quoted.text
    assert quoted.json()["quoted"] is True
    assert client.put(f"{BASE}/proposals/2/quote", headers=ADMIN).status_code == 422
    log = client.get(f"{BASE}/moderation/log", headers=ADMIN).json()
    assert (log[0]["action"], log[0]["proposal_id"]) == ("quote", 2)
    assert client.delete(f"{BASE}/proposals/2/quote", headers=ADMIN).json()["quoted"] is False
