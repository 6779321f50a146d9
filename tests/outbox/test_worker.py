"""The production mode end to end, against the real Redis: ballots wait in the outbox until
`parlons worker` posts them, and each is counted exactly once whatever fails on the way."""

from __future__ import annotations

import asyncio
import io
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_api
from api.loader import read_consultation
from api.schemas import BallotIn
from bot.api_client import ApiUnavailable
from bot.app import create_app
from bot.commands import outbox, worker
from bot.outbox.entries import ballots_entry
from bot.outbox.stream import Outbox
from bot.settings import Settings
from tests.conftest import ADMIN_TOKEN, BOT_TOKEN, DATA, Phone, ServerThread
from tests.outbox.helpers import FOOD_AID, NIGHT_BUSES, drain, status, votes


@pytest.fixture
def client(redis_settings: Settings) -> TestClient:
    with TestClient(create_app(redis_settings)) as c:
        yield c


@pytest.fixture
def phone(client: TestClient) -> Phone:
    return Phone(client, "+33639980102")


def test_ballots_wait_in_the_outbox_until_the_worker_posts_them_once(
    redis_settings: Settings, client: TestClient, phone: Phone
) -> None:
    phone.send("Bonjour")
    assert "Noté." in phone.send("1")
    phone.send("2")
    assert votes(client) == {}
    assert "waiting 2\n" in status(redis_settings)
    assert drain(redis_settings) == 2
    assert votes(client) == {FOOD_AID: (1, 0), NIGHT_BUSES: (0, 1)}
    assert drain(redis_settings) == 0
    assert "waiting 0\npending 0\ndead    0\n" in status(redis_settings)


def test_a_message_delivered_again_after_its_reply_was_lost_is_counted_once(
    redis_settings: Settings, client: TestClient, phone: Phone
) -> None:
    phone.send("Bonjour")
    # The ballot is in the stream, then the reply is lost (a crash, a timeout): Twilio
    # delivers the same message again and gets the same answer, with no second ballot.
    first = phone.send("1", sid="SM" + "7" * 32)
    assert phone.send("1", sid="SM" + "7" * 32) == first
    assert drain(redis_settings) == 1
    assert votes(client) == {FOOD_AID: (1, 0)}


def test_a_worker_killed_after_posting_loses_nothing_and_doubles_nothing(
    redis_settings: Settings, client: TestClient, phone: Phone
) -> None:
    phone.send("Bonjour")
    phone.send("1")
    phone.send("1")

    class Killed(BaseException):
        pass

    class DiesAfterPosting:
        def __init__(self, client) -> None:  # noqa: ANN001
            self._client = client

        async def cast_ballots(self, ballots):  # noqa: ANN001, ANN202
            await self._client.cast_ballots(ballots)  # stored by the API...
            raise Killed  # ...and the worker dies before it acknowledges

    async def first_worker() -> None:
        async with worker.outbox_worker(redis_settings) as drainer:
            drainer.client = DiesAfterPosting(drainer.client)
            with pytest.raises(Killed):
                await drainer.step(block=False)
            assert (await drainer.outbox.status()).pending == 2

    asyncio.run(first_worker())
    assert "pending 2\n" in status(redis_settings)

    assert drain(redis_settings) == 2  # the next worker took over and posted them again
    assert votes(client) == {FOOD_AID: (1, 0), NIGHT_BUSES: (1, 0)}
    assert "waiting 0\npending 0\n" in status(redis_settings)


def test_one_worker_drains_while_the_others_stand_by(
    redis_settings: Settings, client: TestClient, phone: Phone
) -> None:
    phone.send("Bonjour")
    phone.send("1")

    async def two_workers() -> tuple[int, int]:
        async with (
            worker.outbox_worker(redis_settings) as first,
            worker.outbox_worker(redis_settings) as second,
        ):
            return await first.step(block=False), await second.step(block=False)

    assert asyncio.run(two_workers()) == (1, 0)
    assert votes(client) == {FOOD_AID: (1, 0)}


def test_with_the_api_stopped_ballots_wait_then_land_exactly_once(
    redis_settings: Settings, tmp_path
) -> None:  # noqa: ANN001
    def api_process(port: int | None = None) -> ServerThread:
        api = create_api(
            redis_settings.database_url,
            ADMIN_TOKEN,
            BOT_TOKEN,
            read_consultation(DATA / "consultation.yaml"),
        )
        return ServerThread(api, port)

    with api_process() as api:
        redis_settings.api_url = api.url
        redis_settings.database_url = f"sqlite+aiosqlite:///{tmp_path}/bot.db"
        with TestClient(create_app(redis_settings)) as bot:
            phone = Phone(bot, "+33639980110")
            phone.send("Bonjour")
            phone.send("1")
            phone.send("2")
    # The API is stopped: the worker retries, and the ballots wait.

    async def while_down() -> None:
        async with worker.outbox_worker(redis_settings) as drainer:
            for _ in range(3):
                with pytest.raises(ApiUnavailable, match="ConnectError"):
                    await drainer.step(block=False)

    asyncio.run(while_down())
    assert "waiting 2\npending 2\n" in status(redis_settings)
    with api_process(api.port) as api:
        assert drain(redis_settings) == 2
        assert drain(redis_settings) == 0
        counted = httpx.get(
            f"{api.url}/api/v1/consultations/test-city/results",
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        ).json()["proposals"]
    assert [(p["agree"], p["disagree"]) for p in counted if p["votes"]] == [(1, 0), (0, 1)]


def test_a_refused_entry_goes_to_the_dead_letters_and_the_others_land(
    redis_settings: Settings, client: TestClient, phone: Phone
) -> None:
    phone.send("Bonjour")
    phone.send("1")
    ghost = BallotIn(
        participant="ghost-participant",
        proposal_id=99999,
        choice="agree",
        channel="sms",
        idempotency_key="sms:SMghost:0",
    )

    async def enqueue_refused() -> None:
        box = Outbox(client.app.state.parlons.redis, redis_settings.redis_prefix)
        await box.redis.xadd(box.stream, {"e": ballots_entry([ghost])})

    client.portal.call(enqueue_refused)
    phone.send("2")
    assert drain(redis_settings) == 3
    assert votes(client) == {FOOD_AID: (1, 0), NIGHT_BUSES: (0, 1)}
    out = io.StringIO()
    asyncio.run(outbox.outbox(redis_settings, "dead", [], out))
    assert "ballots x1  Invalid: no proposal [99999]" in out.getvalue()
    assert "1 dead letters" in out.getvalue()
    # An operator puts it back: still refused, it is dead-lettered again, counted nowhere.
    asyncio.run(outbox.outbox(redis_settings, "retry", [], io.StringIO()))
    assert "waiting 1\npending 0\ndead    0\n" in status(redis_settings)
    assert drain(redis_settings) == 1
    assert "waiting 0\npending 0\ndead    1\n" in status(redis_settings)
    assert votes(client) == {FOOD_AID: (1, 0), NIGHT_BUSES: (0, 1)}


def test_erase_keeps_its_place_among_the_ballots(
    redis_settings: Settings, client: TestClient, phone: Phone
) -> None:
    phone.send("Bonjour")
    phone.send("1")
    phone.send("supprimer")
    assert "effacés" in phone.send("1")
    phone.send("Bonjour")
    phone.send("2")
    drain(redis_settings)  # the vote, the erase and the vote after it, in that order
    assert votes(client) == {FOOD_AID: (0, 1)}


def test_a_conversation_alternating_between_two_workers_and_two_messages_at_once(
    redis_settings: Settings,
) -> None:
    with (
        TestClient(create_app(redis_settings)) as one,
        TestClient(create_app(redis_settings)) as two,
    ):
        phones = [Phone(one, "+33639980120"), Phone(two, "+33639980120")]
        assert "Proposition 1 : " + FOOD_AID in phones[0].send("Bonjour")
        assert "Proposition 2 : " + NIGHT_BUSES in phones[1].send("1")
        # Two messages at once, one on each worker: one waits for the other, so they vote
        # on proposals 2 and 3 (then the idea is offered) rather than both on 2.
        with ThreadPoolExecutor(2) as pool:
            replies = sorted(pool.map(lambda p, text: p.send(text), phones, ["1", "2"]))
        assert "Proposition 3 : " in replies[1] and "Avez-vous une idée" in replies[0]
        drain(redis_settings)
        counted = votes(one)
    assert counted[FOOD_AID] == (1, 0)
    assert sorted(counted.values()) == [(0, 1), (1, 0), (1, 0)]


def test_a_vote_changed_before_the_worker_ran_counts_once_with_the_last_choice(
    redis_settings: Settings, client: TestClient
) -> None:
    residents = [Phone(client, f"+3363998016{n}") for n in range(3)]
    for phone in residents:
        phone.send("Hello")
        phone.send("1")
    phone.send("change")
    assert "Your answer is changed." in phone.send("2")
    drain(redis_settings)  # all in one batch: three residents, one of them twice on food aid
    assert votes(client)[FOOD_AID] == (2, 1)


def test_a_proposal_answered_while_its_ballot_waits_is_not_offered_again(
    client: TestClient, phone: Phone
) -> None:
    # No worker runs: the API has not seen a single ballot when the queue is topped up.
    asked = [phone.send("Bonjour")]
    for _ in range(8):
        reply = phone.send("2" if "idée" in asked[-1] else "1")
        asked.append(reply)
        if "toutes les propositions" in reply:
            break
    lines = [line for reply in asked for line in reply.splitlines()]
    shown = [line.split(" : ", 1)[1] for line in lines if " : Il faut" in line]
    assert len(shown) == len(set(shown)) == 3, shown
    assert "toutes les propositions" in asked[-1]
