"""Authors who asked to hear back are told what the moderators decided, once, in plain words."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from api.models import RejectReason
from bot.api_client import HttpApiClient
from bot.outreach.idea_notices import IdeaNotices
from bot.outreach.ledger import Ledger, QuietHours
from bot.outreach.senders import SmsSender
from bot.outreach.twilio_rest import twilio_client
from bot.records.contacts import Contacts
from dialogs.idea_outcome import reason_in_words
from tests.conftest import ADMIN_TOKEN, BOT_TOKEN, PUBLIC_URL
from tests.fakes import FakeTwilio
from tests.outreach.conftest import ACCOUNT, SERVICE, FakeClock, converse, daytime

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
AT = "/api/v1/consultations/test-city"


def send_idea(live: httpx.Client, number: str, idea: str, hear_back: str) -> None:
    """Greets, writes an idea, sends it, answers "may we write to you later?"."""
    converse(live, number, ["Bonjour", idea, "1", hear_back])


def pending(live: httpx.Client) -> dict[str, int]:
    response = live.get(f"{AT}/proposals", params={"status": "pending"}, headers=ADMIN)
    assert response.status_code == 200, response.text
    return {p["text"]: p["id"] for p in response.json()}


@pytest.fixture
async def api(live: httpx.Client) -> AsyncIterator[HttpApiClient]:
    client = HttpApiClient(str(live.base_url), BOT_TOKEN, "test-city")
    yield client
    await client.aclose()


def notices(
    api: HttpApiClient, contacts: Contacts, fake: FakeTwilio, clock: FakeClock, **options
) -> IdeaNotices:
    twilio = twilio_client(ACCOUNT, "twilio-rest-token", fake.url)  # type: ignore[attr-defined]
    sender = SmsSender(twilio, SERVICE, plain=["fr", "en"])
    ledger = Ledger(
        contacts._tables, {"sms": sender}, PUBLIC_URL, clock=clock, sleep=clock.sleep, **options
    )
    return IdeaNotices(api, contacts, ledger, contacts._tables)


async def test_authors_who_asked_are_told_once_accepted_or_not_and_why(
    live: httpx.Client, api: HttpApiClient, contacts: Contacts, fake_twilio: FakeTwilio
) -> None:
    send_idea(live, "+33600000801", "Il faut ouvrir les cours d'école le samedi", "1")
    send_idea(live, "+33600000802", "Il faut des toilettes publiques au parc", "2")  # no
    send_idea(live, "+33600000803", "Il faut un marché le dimanche matin", "1")
    converse(live, "+33600000803", ["STOP"])
    send_idea(live, "+33600000804", "Votez pour le parti des jardins partagés", "1")
    ideas = pending(live)
    for text in ideas:
        if "parti" in text:
            body = {"reason": "partisan"}
            live.post(f"{AT}/proposals/{ideas[text]}/reject", json=body, headers=ADMIN)
        else:
            live.post(f"{AT}/proposals/{ideas[text]}/accept", headers=ADMIN)

    told = await notices(api, contacts, fake_twilio, daytime()).run_once()

    assert sorted((m["To"], m["Body"]) for m in fake_twilio.messages) == [
        (
            "+33600000801",
            'Bonne nouvelle : votre idée "Il faut ouvrir les cours d\'école le samedi" est '
            "publiée. Les autres habitants peuvent maintenant voter.",
        ),
        (
            "+33600000804",
            "Votre idée \"Votez pour le parti des jardins partagés\" n'est pas publiée. L'idée "
            "soutient ou attaque un parti ou un candidat. Vous pouvez en envoyer une autre : IDEE.",
        ),
    ]
    assert told == {"sent": 2, "not asked": 2}
    again = await notices(api, contacts, fake_twilio, daytime()).run_once()
    assert again == {} and len(fake_twilio.messages) == 2  # the cursor moved on


async def test_a_decision_in_the_quiet_hours_waits_for_the_morning(
    live: httpx.Client, api: HttpApiClient, contacts: Contacts, fake_twilio: FakeTwilio
) -> None:
    send_idea(live, "+33600000811", "Il faut plus de bancs au bord de l'Ill", "1")
    (proposal,) = pending(live).values()
    live.post(f"{AT}/proposals/{proposal}/accept", headers=ADMIN)
    night = daytime()
    night.now = night.now.replace(hour=23)
    quiet = QuietHours.parse("21:00-09:00", "Europe/Paris")

    assert await notices(api, contacts, fake_twilio, night, quiet=quiet).run_once() == {
        "left for the morning": 1
    }
    assert fake_twilio.messages == []
    told = await notices(api, contacts, fake_twilio, daytime(), quiet=quiet).run_once()
    assert told == {"sent": 1} and len(fake_twilio.messages) == 1


async def test_decisions_need_the_bot_token_and_name_no_address(live: httpx.Client) -> None:
    send_idea(live, "+33600000821", "Il faut des fontaines à eau dans les parcs", "1")
    (proposal,) = pending(live).values()
    live.post(f"{AT}/proposals/{proposal}/accept", headers=ADMIN)

    assert live.get(f"{AT}/decisions").status_code == 401
    response = live.get(f"{AT}/decisions", headers={"Authorization": f"Bearer {BOT_TOKEN}"})
    (decision,) = response.json()
    assert decision["status"] == "accepted" and decision["proposal_id"] == proposal
    assert "600000821" not in response.text


@pytest.mark.parametrize("language", ["fr", "en", "de", "ar", "tr", "pt"])
def test_every_rejection_reason_of_the_api_has_its_own_plain_words(language: str) -> None:
    words = {code: reason_in_words(code.value, language) for code in RejectReason}
    assert len(set(words.values())) == len(RejectReason)  # none falls back to "other"
