"""Production mode with real processes: `parlons worker` killed with SIGKILL mid-drain, two
`parlons serve` processes sharing residents, Redis itself crashing (a private redis-server
on a free port, never the shared one), and what /metrics and Redis hold about a resident."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import redis
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import text

from api import db
from api.schemas import BallotIn
from bot.app import create_app
from bot.outbox.entries import ballots_entry
from bot.settings import Settings
from tests.conftest import SMS_URL, Phone, message_text, sign, sms_form
from tests.outbox.helpers import FOOD_AID, NIGHT_BUSES, drain, status, votes

PARLONS = [sys.executable, "-m", "bot.cli"]


def environment(settings: Settings, **extra: str) -> dict[str, str]:
    """The settings as a process would read them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARLONS_")}
    for name, value in settings.model_dump(exclude_none=True).items():
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        env[f"PARLONS_{name.upper()}"] = (
            json.dumps(value) if isinstance(value, list | dict) else str(value)
        )
    return {**env, **extra}


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.02)


def stored_ballots(settings: Settings) -> int:
    async def count() -> int:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.connect() as c:
                return await c.scalar(text("SELECT count(*) FROM ballots"))
        finally:
            await engine.dispose()

    return asyncio.run(count())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_worker_killed_mid_drain_loses_nothing_and_doubles_nothing(
    redis_settings: Settings,
) -> None:
    with TestClient(create_app(redis_settings)) as client:  # migrates, loads the consultation
        ids = [p["id"] for p in client.get("/api/v1/consultations/test-city/proposals").json()]
    ballots = [
        BallotIn(
            participant=f"participant-{n:06d}",
            proposal_id=proposal,
            choice="agree",
            channel="sms",
            idempotency_key=f"sms:SM{n:06d}{proposal}:0",
        )
        for n in range(1500)
        for proposal in ids
    ]
    queue = redis.Redis.from_url(redis_settings.redis_url)
    with queue.pipeline(transaction=False) as pipe:
        for ballot in ballots:
            pipe.xadd(f"{redis_settings.redis_prefix}outbox", {"e": ballots_entry([ballot])})
        pipe.execute()
    env = environment(redis_settings, PARLONS_OUTBOX_LEASE_SECONDS="1")
    first = subprocess.Popen([*PARLONS, "worker", "--batch", "50"], env=env)
    try:
        wait_for(lambda: stored_ballots(redis_settings) > 0, "the first posts")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    at_kill = stored_ballots(redis_settings)
    assert 0 < at_kill < len(ballots), "the worker was not killed mid-drain"
    second = subprocess.Popen([*PARLONS, "worker", "--batch", "50"], env=env)
    try:
        wait_for(lambda: "waiting 0\npending 0\n" in status(redis_settings), "the outbox to empty")
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0
    assert stored_ballots(redis_settings) == len(ballots)
    with TestClient(create_app(redis_settings)) as client:
        assert set(votes(client).values()) == {(1500, 0)}


@pytest.fixture
def two_servers(redis_settings: Settings) -> Iterator[list[str]]:
    """Two `parlons serve` processes, sharing Redis and the database, as behind a balancer."""
    with TestClient(create_app(redis_settings)):
        pass  # migrate once, before both start
    env = environment(redis_settings, PARLONS_PUBLIC_URL=SMS_URL.rsplit("/webhooks", 1)[0])
    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen(
            [*PARLONS, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL
        )
        for port in ports
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url in urls:
            wait_for(lambda url=url: _ready(url), f"{url} to be ready")
        yield urls
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz").status_code == 200
    except httpx.TransportError:
        return False


def text_to(url: str, number: str, body: str) -> str:
    form = sms_form(number, body)
    response = httpx.post(
        f"{url}/webhooks/twilio/sms", data=form, headers={"X-Twilio-Signature": sign(SMS_URL, form)}
    )
    assert response.status_code == 200, response.text
    return message_text(response.text)


def test_a_conversation_alternating_between_two_server_processes(
    redis_settings: Settings, two_servers: list[str]
) -> None:
    one, two = two_servers
    number = "+33639980130"
    assert "Proposition 1 : " + FOOD_AID in text_to(one, number, "Bonjour")
    assert "Proposition 2 : " + NIGHT_BUSES in text_to(two, number, "1")
    with ThreadPoolExecutor(2) as pool:  # at once, one on each process: one after the other
        replies = sorted(pool.map(lambda url, body: text_to(url, number, body), two_servers, "12"))
    assert "Proposition 3 : " in replies[1] and "Avez-vous une idée" in replies[0]
    drain(redis_settings)
    with TestClient(create_app(redis_settings)) as client:
        counted = votes(client)
    assert counted[FOOD_AID] == (1, 0)
    assert sorted(counted.values()) == [(0, 1), (1, 0), (1, 0)]


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[Callable[[], subprocess.Popen]]:
    """Start (and start again) a redis-server of this test's own, with append-only files."""
    port = free_port()
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        server = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(tmp_path),
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
            ],
            stdout=subprocess.DEVNULL,
        )
        started.append(server)
        client = redis.Redis(port=port)
        wait_for(lambda: _answers(client), "the private redis-server")
        return server

    start.url = f"redis://127.0.0.1:{port}/0"  # type: ignore[attr-defined]
    yield start
    for server in started:
        server.kill()
        server.wait()


def _answers(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


def test_ballots_thanked_for_survive_a_redis_crash(
    settings: Settings, private_redis: Callable[[], subprocess.Popen]
) -> None:
    server = private_redis()
    settings.redis_url = private_redis.url  # type: ignore[attr-defined]
    with TestClient(create_app(settings)) as client:
        phone = Phone(client, "+33639980140")
        phone.send("Bonjour")
        assert "Noté." in phone.send("1")
        server.kill()  # SIGKILL: no chance to save anything more
        server.wait()
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["stores"]["sessions"].startswith("unavailable")
        private_redis()
        assert client.get("/readyz").status_code == 200
        assert "waiting 1\n" in status(settings)
        assert drain(settings) == 1
        assert votes(client) == {FOOD_AID: (1, 0)}
        assert "Proposition 3 : " in phone.send("2")  # the session survived too


def test_metrics_count_turns_and_neither_metrics_nor_redis_hold_a_phone_number(
    redis_settings: Settings,
) -> None:
    number = "+33639980150"
    with TestClient(create_app(redis_settings)) as client:
        phone = Phone(client, number)
        for body in ["Bonjour", "1", "2"]:
            phone.send(body)
        scraped = client.get("/metrics").text
        ref = client.app.state.parlons.runtime.pseudonyms.ref(f"tel:{number}")
    assert 'parlons_turns_total{channel="sms",result="answered"}' in scraped
    assert "parlons_outbox_depth 2.0" in scraped
    assert 'parlons_webhook_seconds_count{channel="twilio/sms"}' in scraped
    held = redis.Redis.from_url(redis_settings.redis_url)
    keys = list(held.scan_iter(match=f"{redis_settings.redis_prefix}*"))
    dump = b" ".join(keys) + b" ".join(
        str(held.xrange(k)).encode() if held.type(k) == b"stream" else held.get(k) or b""
        for k in keys
    )
    assert ref.encode() in dump  # the resident is there, by their pseudonymous ref...
    for written in [number, number[1:], "0639980150"]:
        assert written.encode() not in dump  # ...never by their number
        assert written not in scraped
    assert ref not in scraped
