"""Faults: Redis gone, the database gone, the API slow. Twilio always gets 200 and TwiML, the
message is kept and counted when the store returns, and readiness tells the truth meanwhile.

Redis faults run a redis-server of their own on a free port; database faults cut PostgreSQL
through a TCP proxy of their own. The shared services are never stopped.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_api
from api.loader import read_consultation
from bot.app import create_app
from bot.settings import Settings
from tests.conftest import (
    ADMIN_TOKEN,
    BOT_TOKEN,
    DATA,
    Phone,
    ServerThread,
    _fresh_postgres,
    results,
    unavailable,
)
from tests.fakes import FakeTelegram
from tests.faults.helpers import SORRY, OwnRedis, TcpProxy, wait_until
from tests.outbox.helpers import drain
from tests.telegram.chat import SECRET, TelegramChat

BASE = "/api/v1/consultations/test-city"
LATE = "Désolé pour l'attente : votre dernier message est compté."
FOOD_AID = "Il faut renforcer l'aide alimentaire dans chaque quartier."


def ready(client: TestClient) -> dict:
    answer = client.get("/readyz")
    assert answer.status_code == (200 if answer.json()["ready"] else 503)
    return answer.json()


def test_redis_down_sms_answered_kept_and_counted_when_it_returns(
    held_settings: Settings, own_redis: OwnRedis
) -> None:
    held_settings.redis_url = own_redis.url
    with TestClient(create_app(held_settings)) as client:
        phone = Phone(client, "+33639980180")
        assert "Proposition 1" in phone.send("Bonjour")
        assert ready(client)["ready"]

        own_redis.stop()
        assert not ready(client)["ready"]
        assert ready(client)["stores"]["sessions"].startswith("unavailable")
        reply = phone.send("1")  # 200 and TwiML (Phone.send checks it), an apology
        assert reply.startswith(SORRY)
        held = list((held_settings.held_dir).rglob("*.json"))
        assert len(held) == 1
        assert b"+33639980180" not in held[0].read_bytes()  # the address is encrypted

        own_redis.start()  # AOF on: what Redis held before comes back
        wait_until(lambda: ready(client)["ready"], "readiness green again")
        wait_until(lambda: not list(held_settings.held_dir.rglob("*.json")), "held message taken")
        # The next message is answered with what the resident missed: where we are.
        reply = phone.send("2")
        assert reply.startswith(LATE)
        assert "Proposition 2" in reply
        phone.send("2")
    drain(held_settings)  # the outbox, as `parlons worker` would
    with TestClient(create_app(held_settings)) as client:
        counts = results(client)
        assert counts[FOOD_AID]["agree"] == 1
        assert sum(p["votes"] for p in counts.values()) == 2  # the held "1", then "2"


@pytest.fixture
def postgres_through_proxy(tmp_path: Path) -> Iterator[tuple[str, TcpProxy]]:
    """A database of this test's own on the shared PostgreSQL, reached through a proxy."""
    direct = "postgresql+asyncpg://postgres@127.0.0.1:5432/parlons_faults_" + Path.cwd().name
    direct = direct.replace("-", "_")
    try:
        with ThreadPoolExecutor(1) as thread:
            thread.submit(asyncio.run, _fresh_postgres(direct)).result()
    except (OSError, ConnectionError) as e:
        unavailable("PostgreSQL", e)
    proxy = TcpProxy(("127.0.0.1", 5432))
    yield direct.replace(":5432/", f":{proxy.port}/"), proxy
    proxy.close()


def test_database_down_sms_answered_kept_and_counted_when_it_returns(
    held_settings: Settings, postgres_through_proxy: tuple[str, TcpProxy]
) -> None:
    held_settings.database_url, proxy = postgres_through_proxy
    with TestClient(create_app(held_settings)) as client:
        phone = Phone(client, "+33639980181")
        assert "Proposition 1" in phone.send("Bonjour")

        proxy.cut()
        assert ready(client)["stores"]["database"].startswith("unavailable")
        assert phone.send("1").startswith(SORRY)
        assert len(list(held_settings.held_dir.rglob("*.json"))) == 1

        proxy.restore()
        wait_until(lambda: ready(client)["ready"], "readiness green again")
        wait_until(lambda: not list(held_settings.held_dir.rglob("*.json")), "held message taken")
        assert results(client)[FOOD_AID]["agree"] == 1
        reply = phone.send("3")
        assert reply.startswith(LATE) and "Proposition 2" in reply
        assert sum(p["votes"] for p in results(client).values()) == 1  # "3" was not read


def test_api_slow_sms_answered_in_time_then_counted(
    held_settings: Settings, tmp_path: Path
) -> None:
    slow = threading.Event()
    api = create_api(
        held_settings.database_url,
        ADMIN_TOKEN,
        BOT_TOKEN,
        read_consultation(DATA / "consultation.yaml"),
    )

    @api.middleware("http")
    async def seconds_late(request, call_next):  # noqa: ANN001, ANN202
        if slow.is_set():
            await asyncio.sleep(3)
        return await call_next(request)

    with ServerThread(api) as server:
        held_settings.api_url = server.url
        held_settings.database_url = f"sqlite+aiosqlite:///{tmp_path}/bot.db"
        held_settings.turn_deadline_seconds = 1
        with TestClient(create_app(held_settings)) as client:
            phone = Phone(client, "+33639980182")
            assert "Proposition 1" in phone.send("Bonjour")
            slow.set()
            assert phone.send("1").startswith(SORRY)  # answered before Twilio gives up
            slow.clear()
            wait_until(lambda: not list(held_settings.held_dir.rglob("*.json")), "held taken")
            counted = httpx.get(
                f"{server.url}{BASE}/results", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
            ).json()
            assert counted["ballots"] == 1


def test_telegram_gets_503_while_redis_is_down_and_its_redelivery_is_answered(
    telegram_settings: Settings,
    fake_telegram: FakeTelegram,
    own_redis: OwnRedis,
) -> None:
    telegram_settings.redis_url = own_redis.url
    with TestClient(create_app(telegram_settings)) as client:
        chat = TelegramChat(client, fake_telegram, 6100000001)
        chat.say("Bonjour")
        update = chat.press_update("D'accord")
        own_redis.stop()
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        answer = client.post("/webhooks/telegram", json=update, headers=headers)
        assert answer.status_code == 503  # Telegram delivers it again later
        own_redis.start()
        wait_until(lambda: ready(client)["ready"], "readiness green again")
        chat.post(update)  # the same update, delivered again: answered now
        assert chat.last_with_buttons().text.startswith("Noté.")  # the vote, taken once
