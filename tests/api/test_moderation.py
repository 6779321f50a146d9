"""Moderation and roles through the HTTP API, as a moderator's web page would use them."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.helpers import ADMIN, BASE, BOT, auth, idea, new_token


@pytest.fixture
def alice(client: TestClient) -> dict[str, str]:
    return new_token(client, "alice", "moderator")


@pytest.fixture
def bob(client: TestClient) -> dict[str, str]:
    return new_token(client, "bob", "moderator")


def test_a_bot_token_cannot_moderate(client: TestClient) -> None:
    pending = idea(client, "Il faut un marché de producteurs le dimanche matin")
    at = f"{BASE}/proposals/{pending['id']}"
    assert client.get(f"{BASE}/moderation/queue", headers=BOT).status_code == 403
    assert client.post(f"{at}/claim", headers=BOT).status_code == 403
    assert client.post(f"{at}/accept", headers=BOT).status_code == 403
    assert client.patch(at, json={"text": "Autre chose"}, headers=BOT).status_code == 403
    assert (
        client.post("/api/v1/tokens", json={"name": "x", "role": "admin"}, headers=BOT).status_code
        == 403
    )


def test_admins_create_and_revoke_tokens_kept_as_digests_only(client: TestClient) -> None:
    created = client.post(
        "/api/v1/tokens", json={"name": "carla", "role": "analyst"}, headers=ADMIN
    ).json()
    carla = auth(created["token"])
    listed = client.get("/api/v1/tokens", headers=ADMIN).json()
    assert [t["name"] for t in listed] == ["carla"] and "token" not in listed[0]
    assert client.get(f"{BASE}/results", headers=carla).status_code == 200
    assert client.get(f"{BASE}/moderation/queue", headers=carla).status_code == 403  # analyst
    assert (
        client.post(
            "/api/v1/tokens", json={"name": "x", "role": "admin"}, headers=carla
        ).status_code
        == 403
    )

    assert client.delete(f"/api/v1/tokens/{created['id']}", headers=ADMIN).json()["revoked_at"]
    assert client.get(f"{BASE}/results", headers=carla).status_code == 401


def test_token_names_are_unique_and_the_configured_ones_reserved(client: TestClient) -> None:
    new_token(client, "dan", "moderator")
    for name in ("dan", "admin", "bot"):
        response = client.post(
            "/api/v1/tokens", json={"name": name, "role": "moderator"}, headers=ADMIN
        )
        assert response.status_code == 409, name


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("Appelez-moi au 06 12 34 56 78 pour en parler", "phone_number"),
        ("Écrivez-moi à jean.dupont@exemple.fr pour en parler", "email"),
        ("Les connards de la mairie ne font rien", "insult"),
        ("Mon mari me frappe le soir", "safeguarding"),
        ("Bonjour", "too_short"),
        ("Il faut des bancs " + "très " * 30 + "confortables.", "too_long"),  # limit 120
    ],
)
def test_an_idea_is_flagged_before_a_moderator_reads_it(
    client: TestClient, text: str, flag: str
) -> None:
    assert flag in idea(client, text)["flags"]


def test_a_plain_idea_raises_no_flag(client: TestClient) -> None:
    assert idea(client, "Il faut un marché de producteurs le dimanche matin")["flags"] == []


def test_a_near_duplicate_points_to_the_proposal_it_resembles(client: TestClient) -> None:
    created = idea(client, "Il faut des bus la nuit pendant le week-end")
    assert "near_duplicate" in created["flags"]
    night_buses = [p for p in client.get(f"{BASE}/proposals").json() if p["key"] == "night-buses"][
        0
    ]
    assert created["similar_to"] == night_buses["id"]


def test_the_queue_puts_a_safeguarding_disclosure_first(client: TestClient, alice: dict) -> None:
    idea(client, "Il faut un marché de producteurs le dimanche matin")
    urgent = idea(client, "Mon mari me frappe le soir")
    queue = client.get(f"{BASE}/moderation/queue", headers=alice).json()
    assert [p["id"] for p in queue][0] == urgent["id"] and len(queue) == 2


def test_a_disclosure_is_never_published_but_the_idea_sent_after_it_is(
    client: TestClient, alice: dict
) -> None:
    """The bot sends a disclosure of danger flagged "disclosure": read first, never shown to
    residents. The idea the resident then sent on its own is a proposal like any other."""
    text = "Il faut un foyer pour les femmes, mon mari me frappe"
    alert = idea(client, text, flags=("safeguarding", "disclosure"))
    sent = idea(client, text)
    refused = client.post(f"{BASE}/proposals/{alert['id']}/accept", headers=alice)
    assert refused.status_code == 409 and "never published" in refused.json()["detail"]
    rejected = {"reason": "other", "note": "urgent: called back"}
    at = f"{BASE}/proposals/{alert['id']}/reject"
    assert client.post(at, json=rejected, headers=alice).status_code == 200
    assert client.post(f"{BASE}/proposals/{sent['id']}/accept", headers=alice).status_code == 200
    shown = [p["text"] for p in client.get(f"{BASE}/proposals").json()]
    assert shown.count(text) == 1


def test_two_moderators_never_handle_one_proposal_at_once(
    client: TestClient, alice: dict, bob: dict
) -> None:
    at = f"{BASE}/proposals/{idea(client, 'Il faut plus de fontaines à eau dans les parcs')['id']}"
    claimed = client.post(f"{at}/claim", headers=alice).json()
    assert claimed["claimed_by"] == "alice" and claimed["claimed_until"]
    assert client.post(f"{at}/claim", headers=bob).status_code == 409
    refused = client.post(f"{at}/reject", json={"reason": "off_topic"}, headers=bob)
    assert refused.status_code == 409 and "alice" in refused.json()["detail"]

    accepted = client.post(f"{at}/accept", headers=alice).json()
    assert (accepted["status"], accepted["claimed_by"]) == ("accepted", None)
    assert client.post(f"{at}/claim", headers=bob).status_code == 200  # free again


def test_a_released_proposal_can_be_taken_by_another(
    client: TestClient, alice: dict, bob: dict
) -> None:
    at = f"{BASE}/proposals/{idea(client, 'Il faut plus de fontaines à eau dans les parcs')['id']}"
    client.post(f"{at}/claim", headers=alice)
    client.post(f"{at}/release", headers=alice)
    assert client.post(f"{at}/postpone", headers=bob).json()["status"] == "postponed"
    pending = client.get(f"{BASE}/moderation/queue", headers=bob).json()
    postponed = client.get(f"{BASE}/moderation/queue?status=postponed", headers=bob).json()
    assert pending == [] and len(postponed) == 1


def test_an_edit_keeps_the_residents_words_and_a_translation_is_added(
    client: TestClient, alice: dict
) -> None:
    original = "il faut plus de fontaine a eau dans les parc"
    at = f"{BASE}/proposals/{idea(client, original)['id']}"
    edited = client.patch(
        at,
        json={"text": "Il faut plus de fontaines à eau dans les parcs.", "theme": "wellbeing"},
        headers=alice,
    ).json()
    assert edited["text"] == "Il faut plus de fontaines à eau dans les parcs."
    assert (edited["original_text"], edited["theme"]) == (original, "wellbeing")
    again = client.patch(
        at, json={"text": "Plus de fontaines à eau dans les parcs."}, headers=alice
    )
    assert again.json()["original_text"] == original  # the first words, not the last edit

    translated = client.put(
        f"{at}/translations/en", json={"text": "More water fountains in the parks."}, headers=alice
    ).json()
    assert translated["translations"] == {"en": "More water fountains in the parks."}
    assert client.put(f"{at}/translations/xx", json={"text": "?"}, headers=alice).status_code == 422


def test_a_rejection_needs_a_reason_from_the_list(client: TestClient, alice: dict) -> None:
    reasons = client.get("/api/v1/moderation/reasons").json()
    assert {r["code"] for r in reasons} >= {
        "incomprehensible",
        "off_topic",
        "partisan",
        "illegal",
        "advertising",
        "several_ideas",
        "rude",
        "duplicate",
        "other",
    }
    assert all(r["explanation"].endswith(".") for r in reasons)
    at = f"{BASE}/proposals/{idea(client, 'Votez pour notre liste aux municipales !')['id']}"
    rejected = client.post(f"{at}/reject", json={"reason": "Partisan"}, headers=alice).json()
    assert (rejected["status"], rejected["reject_reason"]) == ("rejected", "partisan")
    words = client.post(f"{at}/reject", json={"reason": "Slogan, no idea"}, headers=alice)
    assert words.json()["reject_reason"] == "other"  # the words are kept as the note:
    trail = client.get(f"{BASE}/moderation/log", headers=alice).json()
    assert trail[0]["note"] == "Slogan, no idea"


def test_every_moderation_action_is_in_the_audit_trail(client: TestClient, alice: dict) -> None:
    proposal = idea(client, "il faut plus de fontaine a eau dans les parc")
    at = f"{BASE}/proposals/{proposal['id']}"
    client.post(f"{at}/claim", headers=alice)
    client.patch(at, json={"text": "Plus de fontaines à eau dans les parcs."}, headers=alice)
    client.post(f"{at}/reject", json={"reason": "duplicate", "note": "see #2"}, headers=alice)
    client.post(f"{at}/accept", json={"note": "not a duplicate after all"}, headers=ADMIN)

    trail = client.get(
        f"{BASE}/moderation/log", params={"proposal_id": proposal["id"]}, headers=alice
    ).json()
    assert [(e["actor"], e["action"]) for e in reversed(trail)] == [
        ("alice", "claim"),
        ("alice", "edit"),
        ("alice", "reject"),
        ("admin", "accept"),
    ]
    reject, accept = trail[1], trail[0]
    assert (reject["reason"], reject["note"]) == ("duplicate", "see #2")
    assert reject["change"] == {"status": ["pending", "rejected"]}
    assert accept["change"] == {"status": ["rejected", "accepted"]}
    assert trail[2]["change"]["text"][0] == "il faut plus de fontaine a eau dans les parc"
    assert all(e["at"] for e in trail)


def test_unknown_proposals_and_consultations_get_404(client: TestClient, alice: dict) -> None:
    assert client.post(f"{BASE}/proposals/9999/claim", headers=alice).status_code == 404
    assert (
        client.get("/api/v1/consultations/nowhere/moderation/queue", headers=alice).status_code
        == 404
    )
