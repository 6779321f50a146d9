"""What the API's tests share: the bot's and staff's calls to the consultation API."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import create_async_engine

from api.models import Ballot, Participant
from bot.settings import Settings
from tests.conftest import ADMIN_TOKEN, BOT_TOKEN

BASE = "/api/v1/consultations/test-city"
_keys = itertools.count(1)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


ADMIN, BOT = auth(ADMIN_TOKEN), auth(BOT_TOKEN)


def ballot(proposal_id: int, choice: str, key: str, participant: str = "ref-aaaaaaaa") -> dict:
    return {
        "participant": participant,
        "proposal_id": proposal_id,
        "choice": choice,
        "channel": "sms",
        "language": "fr",
        "idempotency_key": key,
    }


def post_ballots(client: TestClient, *ballots: dict, token: str = BOT_TOKEN):  # noqa: ANN201
    return client.post(f"{BASE}/ballots", json={"ballots": list(ballots)}, headers=auth(token))


def vote(client: TestClient, who: str, choices: dict[int, str], channel: str = "sms") -> None:
    ballots = [
        {
            "participant": who,
            "proposal_id": proposal,
            "choice": choice,
            "channel": channel,
            "idempotency_key": f"key-results-{next(_keys):05d}",
        }
        for proposal, choice in choices.items()
    ]
    response = client.post(f"{BASE}/ballots", json={"ballots": ballots}, headers=BOT)
    assert response.status_code == 200, response.text


def cast_at(settings: Settings, who: str, proposal: int, moment: str) -> None:
    """Date a stored ballot, as if it had been cast then (the API stamps ballots on arrival)."""

    async def backdate() -> None:
        engine = create_async_engine(settings.database_url)
        person = select(Participant.id).where(Participant.ref == who).scalar_subquery()
        async with engine.begin() as db:
            await db.execute(
                update(Ballot)
                .where(Ballot.participant_id == person, Ballot.proposal_id == proposal)
                .values(cast_at=datetime.fromisoformat(moment).replace(tzinfo=UTC))
            )
        await engine.dispose()

    asyncio.run(backdate())


def next_ids(
    client: TestClient, participant: str, limit: int, exclude: tuple[int, ...] = ()
) -> list[int]:
    response = client.get(
        f"{BASE}/participants/{participant}/next",
        params={"language": "fr", "limit": limit, "exclude": list(exclude)},
        headers=auth(BOT_TOKEN),
    )
    assert response.status_code == 200, response.text
    return [p["id"] for p in response.json()]


def new_token(client: TestClient, name: str, role: str) -> dict[str, str]:
    response = client.post("/api/v1/tokens", json={"name": name, "role": role}, headers=ADMIN)
    assert response.status_code == 201, response.text
    return auth(response.json()["token"])


def idea(
    client: TestClient, text: str, participant: str = "ref-author-01", flags: tuple = ()
) -> dict:
    body = {
        "participant": participant,
        "text": text,
        "language": "fr",
        "channel": "sms",
        "idempotency_key": f"sms:SMmod{next(_keys):04d}:0",
        "flags": list(flags),
    }
    response = client.post(f"{BASE}/ideas", json=body, headers=BOT)
    assert response.status_code == 201, response.text
    return response.json()
