"""A broadcast asks "Did you feel heard?"; the resident's next SMS answers it from 1 to 5, and
the answers are counted by the API beside the results."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from api import db
from api.schemas import EvaluationIn
from bot.api_client import ApiRefused, HttpApiClient
from bot.outreach.broadcast import Broadcast
from bot.outreach.ledger import Ledger
from bot.outreach.senders import SmsSender
from bot.outreach.twilio_rest import twilio_client
from bot.records.contacts import Contacts
from bot.records.open_questions import OpenQuestions
from bot.turns.identity import Pseudonyms
from tests.conftest import ADMIN_TOKEN, BOT_TOKEN, PUBLIC_URL
from tests.fakes import FakeTwilio
from tests.outreach.conftest import ACCOUNT, SERVICE, SPEC, YES, converse, daytime

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
QUESTION = "Avez-vous été écouté ? Répondez de 1 (pas du tout) à 5 (tout à fait)."


def summary(live: httpx.Client) -> dict:
    response = live.get("/api/v1/consultations/test-city/evaluations", headers=ADMIN)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_broadcast_asks_and_the_next_sms_answers(
    live_app: FastAPI, live: httpx.Client, contacts: Contacts, fake_twilio: FakeTwilio
) -> None:
    for number in ("+33600000901", "+33600000902", "+33600000903"):
        converse(live, number, YES)
    questions = OpenQuestions(contacts._tables)
    clock = daytime()
    twilio = twilio_client(ACCOUNT, "twilio-rest-token", fake_twilio.url)  # type: ignore[attr-defined]
    ledger = Ledger(
        contacts._tables,
        {"sms": SmsSender(twilio, SERVICE, plain=["fr"])},
        PUBLIC_URL,
        clock=clock,
        sleep=clock.sleep,
    )
    spec = SPEC.model_copy(update={"evaluation": "heard"})
    # The app reads the time of the latest question at most every few seconds: here, always.
    parlons = live_app.state.parlons
    parlons.runtime.questions = OpenQuestions(db.sessionmaker(parlons.engine), latest_for=0)

    await Broadcast(spec, contacts, ledger, "fr", questions).run()

    assert all(m["Body"].endswith("\n" + QUESTION) for m in fake_twilio.messages)
    assert converse(live, "+33600000901", ["4"]) == "Merci pour votre réponse."
    assert converse(live, "+33600000902", ["5"]) == "Merci pour votre réponse."
    assert converse(live, "+33600000903", ["Bonjour"]).startswith("Bon retour")  # not an answer
    assert converse(live, "+33600000903", ["3"]) != "Merci pour votre réponse."  # asked once
    assert summary(live) == {"heard": {"answers": 2, "mean": 4.5, "scores": {"4": 1, "5": 1}}}

    results = live.get("/api/v1/consultations/test-city/results", headers=ADMIN).json()
    assert results["evaluation"] == summary(live)  # shown with the results

    converse(live, "+33600000902", ["SUPPRIMER", "1"])  # ERASE takes the answer with it
    assert summary(live)["heard"] == {"answers": 1, "mean": 4.0, "scores": {"4": 1}}


async def test_over_http_only_the_bot_posts_and_only_for_a_participant(live: httpx.Client) -> None:
    converse(live, "+33600000911", YES)
    ref = Pseudonyms("test-pseudonym-key").ref("tel:+33600000911")
    api = HttpApiClient(str(live.base_url), BOT_TOKEN, "test-city")
    try:
        await api.evaluate(EvaluationIn(participant=ref, question="again", score=2, channel="sms"))
        with pytest.raises(ApiRefused) as stranger:
            await api.evaluate(
                EvaluationIn(participant="nobody", question="again", score=2, channel="sms")
            )
    finally:
        await api.aclose()
    assert stranger.value.status == 404  # the API's own answer, as in-process: refused
    body = {"participant": ref, "question": "again", "score": 5, "channel": "sms"}
    assert live.post("/api/v1/consultations/test-city/evaluations", json=body).status_code == 401
    assert summary(live) == {"again": {"answers": 1, "mean": 2.0, "scores": {"2": 1}}}
