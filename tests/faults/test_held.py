"""Held messages: taken again until they are counted while the stores answer. A lock left by a
turn that died, a database that stalls, an outage of any length are waits, never failures;
only the API refusing a message (or its window ending) sets it aside, where `/metrics` and
`parlons outbox` show it.

Redis is a redis-server of the test's own with its append-only file (tests/test_faults.py),
stopped and started again; the database is stalled by another client holding a lock on
`ballots`, as a backup or a long import would.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg
import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from bot.api_client import ApiRefused
from bot.app import create_app
from bot.commands import outbox
from bot.settings import Settings
from tests.conftest import Phone, _fresh_postgres, results, unavailable
from tests.faults.helpers import SORRY, OwnRedis, wait_until
from tests.outbox.helpers import drain

FOOD_AID = "Il faut renforcer l'aide alimentaire dans chaque quartier."
NIGHT_BUSES = "Il faut des bus la nuit le week-end."
BENCHES = "Il faut plus de bancs à l'ombre dans les parcs."


class BallotsLocked:
    """Another client holds a lock on `ballots` (or `table`) until `release`: on PostgreSQL an
    ACCESS EXCLUSIVE lock (reads wait too), on SQLite the write lock (writers wait; in WAL
    mode readers go on). `SELECT 1` still answers: the database is up, and stalls."""

    def __init__(self, database_url: str, table: str = "ballots") -> None:
        self.url = make_url(database_url)
        self.table = table
        self._release = threading.Event()
        self._locked = threading.Event()
        self._thread: threading.Thread | None = None
        self._sqlite: sqlite3.Connection | None = None

    def __enter__(self) -> BallotsLocked:
        if self.url.get_backend_name() == "sqlite":
            self._sqlite = sqlite3.connect(self.url.database, isolation_level=None)
            self._sqlite.execute("BEGIN IMMEDIATE")
        else:
            self._thread = threading.Thread(target=asyncio.run, args=(self._hold(),))
            self._thread.start()
            assert self._locked.wait(10), "the lock on ballots was not taken"
        return self

    async def _hold(self) -> None:
        dsn = self.url.set(drivername="postgresql").render_as_string(hide_password=False)
        connection = await asyncpg.connect(dsn)
        try:
            async with connection.transaction():
                await connection.execute(f"LOCK TABLE {self.table} IN ACCESS EXCLUSIVE MODE")
                self._locked.set()
                await asyncio.to_thread(self._release.wait)
        finally:
            await connection.close()

    def release(self) -> None:
        if self._sqlite is not None:
            self._sqlite.execute("ROLLBACK")
            self._sqlite.close()
            self._sqlite = None
        self._release.set()
        if self._thread is not None:
            self._thread.join(10)

    def __exit__(self, *_exc: object) -> None:
        self.release()


@pytest.fixture
def own_postgres() -> str:
    """A PostgreSQL database of this test's own (its reads can be stalled by a table lock)."""
    url = "postgresql+asyncpg://postgres@127.0.0.1:5432/parlons_held_" + Path.cwd().name
    url = url.replace("-", "_")
    try:
        with ThreadPoolExecutor(1) as thread:
            thread.submit(asyncio.run, _fresh_postgres(url)).result()
    except (OSError, ConnectionError) as e:
        unavailable("PostgreSQL", e)
    return url


def held(settings: Settings, ref: str = "[!.]*") -> list[Path]:
    """Messages waiting: everyone's, or one resident's."""
    return list(settings.held_dir.glob(f"{ref}/*.json"))


def set_aside(settings: Settings) -> list[Path]:
    return list((settings.held_dir / ".set-aside").rglob("*.json"))


def ref_of(client: TestClient, number: str) -> str:
    return client.app.state.parlons.runtime.pseudonyms.ref(f"tel:{number}")


def metric(client: TestClient, name: str) -> float:
    text = client.get("/metrics").text
    found = re.search(rf"^{re.escape(name)} (\S+)$", text, re.M)
    assert found, f"{name} not in /metrics"
    return float(found.group(1))


def outbox_command(settings: Settings, action: str) -> str:
    out = io.StringIO()
    asyncio.run(outbox.outbox(settings, action, [], out))
    return out.getvalue()


def test_a_turn_cut_from_redis_holding_the_lock_has_its_vote_counted_once_when_redis_returns(
    held_settings: Settings,
    own_redis: OwnRedis,
    own_postgres: str,
) -> None:
    held_settings.redis_url = own_redis.url
    held_settings.database_url = own_postgres
    held_settings.turn_deadline_seconds = 15  # the lock's lease
    with TestClient(create_app(held_settings)) as client:
        phone = Phone(client, "+33639980184")
        phone.send("Bonjour")
        phone.send("1")  # food aid: agree
        phone.send("1")  # night buses: agree; the next turn tops the queue up
        # ...reading the accepted proposals again (not kept a second here): they wait.
        client.app.state.parlons.runtime.api._service._accepted._fresh_seconds = 0
        store = redis.Redis(port=own_redis.port)
        lock = f"{held_settings.redis_prefix}lock:{ref_of(client, phone.number)}"
        stall = BallotsLocked(own_postgres, "proposals")
        with stall as ballots, ThreadPoolExecutor(1) as thread:
            answer = thread.submit(phone.send, "2")  # benches: disagree
            wait_until(lambda: store.exists(lock), "the turn holds the resident's lock")
            own_redis.stop()  # mid-turn, the lock taken
            ballots.release()  # the turn goes on to save, and finds Redis gone
            assert answer.result().startswith(SORRY)  # told: kept, will count
        assert len(held(held_settings)) == 1
        own_redis.start()  # within a second; the append-only file brings the lock back
        back = time.monotonic()
        store = redis.Redis(port=own_redis.port)
        left = store.pttl(lock) / 1000
        assert 0 < left <= held_settings.turn_deadline_seconds  # the dead turn's lock is back
        bound = left + held_settings.held_retry_seconds
        wait_until(lambda: not held(held_settings), "held vote taken", seconds=bound + 10)
        took = time.monotonic() - back
        print(
            f"lock left {left:.1f} s after Redis came back; the vote was taken {took:.1f} s after"
        )
        assert took <= bound + 3  # as soon as the lease ends: a few turns' time of margin
        assert not set_aside(held_settings)
        reply = phone.send("1")  # the resident's next message: where we are
        assert reply.startswith("Désolé pour l'attente")
    drain(held_settings)
    with TestClient(create_app(held_settings)) as client:
        counts = results(client)
        assert counts[BENCHES]["disagree"] == 1  # counted, once
        assert (counts[FOOD_AID]["agree"], counts[NIGHT_BUSES]["agree"]) == (1, 1)
        assert sum(p["votes"] for p in counts.values()) == 3


def test_a_resident_whose_held_message_must_wait_delays_no_one_else(
    held_settings: Settings,
    own_redis: OwnRedis,
) -> None:
    held_settings.redis_url = own_redis.url
    held_settings.turn_deadline_seconds = 2
    with TestClient(create_app(held_settings)) as client:
        stuck, other = Phone(client, "+33639980185"), Phone(client, "+33639980186")
        if ref_of(client, stuck.number) > ref_of(client, other.number):
            stuck.number, other.number = other.number, stuck.number  # taken first in turn
        stuck.send("Bonjour")
        other.send("Bonjour")
        # The stuck resident's lock is held elsewhere for a long while (a call's turn waiting
        # on the database, a worker of an older release killed mid-turn).
        store = redis.Redis(port=own_redis.port)
        lock = f"{held_settings.redis_prefix}lock:{ref_of(client, stuck.number)}"
        store.set(lock, "a-turn-elsewhere", px=60_000)
        assert stuck.send("1").startswith(SORRY)  # waited for the lock: held
        own_redis.stop()
        assert other.send("2").startswith(SORRY)  # Redis down: held
        own_redis.start()
        store = redis.Redis(port=own_redis.port)
        wait_until(
            lambda: not held(held_settings, ref_of(client, other.number)),
            "the other resident's held message taken",
        )
        assert len(held(held_settings)) == 1  # the stuck one waits, not set aside
        assert not set_aside(held_settings)
        store.pexpire(lock, 200)  # its turn ends at last
        wait_until(lambda: not held(held_settings), "the stuck resident's message taken")
        assert not set_aside(held_settings)
    drain(held_settings)
    with TestClient(create_app(held_settings)) as client:
        counts = results(client)
        assert (counts[FOOD_AID]["agree"], counts[FOOD_AID]["disagree"]) == (1, 1)
        assert sum(p["votes"] for p in counts.values()) == 2


def test_a_stalled_database_is_waited_for_however_many_tries_it_takes(
    held_settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """SQLite's write lock taken by another process (or a lock on `ballots` in PostgreSQL)
    while `SELECT 1` answers: every try fails, none counts against the message."""
    held_settings.turn_deadline_seconds = 1
    with TestClient(create_app(held_settings)) as client:
        phone = Phone(client, "+33639980187")
        phone.send("Bonjour")
        taken = metric(client, "parlons_held_taken_total")  # the process's count so far

        def tries() -> int:
            return sum("held message not taken yet" in r.getMessage() for r in caplog.records)

        with (
            caplog.at_level(logging.INFO, logger="bot.turns.held_messages"),
            BallotsLocked(held_settings.database_url),
        ):
            assert phone.send("1").startswith(SORRY)
            wait_until(lambda: tries() >= 4, "four tries, each failing", seconds=120)
            assert len(held(held_settings)) == 1 and not set_aside(held_settings)
        wait_until(lambda: not held(held_settings), "held vote taken once the lock goes")
        assert not set_aside(held_settings)
        assert results(client)[FOOD_AID]["agree"] == 1
        assert sum(p["votes"] for p in results(client).values()) == 1
        assert metric(client, "parlons_held_taken_total") == taken + 1


def test_a_ballot_the_api_refuses_is_set_aside_at_once_and_shown_to_the_operator(
    held_settings: Settings,
) -> None:
    with TestClient(create_app(held_settings)) as client:
        phone = Phone(client, "+33639980183")
        phone.send("Bonjour")
        refusals = 'parlons_held_set_aside_total{reason="refused"}'
        before = metric(client, refusals)  # the process's count so far
        api = client.app.state.parlons.runtime.api
        working, refused = api.cast_ballots, []

        async def refuses(ballots: object) -> None:
            refused.append(ballots)  # what the client raises for a proposal the API lacks
            raise ApiRefused("Invalid: no proposal [1] in consultation 'test-city'")

        api.cast_ballots = refuses
        assert phone.send("1").startswith(SORRY)
        wait_until(lambda: set_aside(held_settings), "message set aside")
        assert len(refused) == 2  # the turn, then one try: no more
        assert not held(held_settings)
        assert metric(client, refusals) == before + 1
        assert metric(client, 'parlons_held_messages{state="set_aside"}') == 1
        assert metric(client, 'parlons_held_messages{state="waiting"}') == 0
        listing = outbox_command(held_settings, "held")
        assert "set aside (refused" in listing and "Invalid: no proposal [1]" in listing
        assert "+33639980183" not in listing
        assert "set aside 1\n" in outbox_command(held_settings, "status")
        api.cast_ballots = working
        assert phone.send("1").startswith("Noté.")  # taken as usual, not held behind it


def test_a_held_message_past_its_window_is_set_aside_untried(
    held_settings: Settings,
    own_redis: OwnRedis,
) -> None:
    """Past PARLONS_REPLAY_HOURS a message already counted (its reply lost) would no longer be
    recognised, and could count twice: it is set aside, not tried."""
    held_settings.redis_url = own_redis.url
    held_settings.replay_hours = 1 / 3600  # a window of one second
    with TestClient(create_app(held_settings)) as client:
        phone = Phone(client, "+33639980188")
        phone.send("Bonjour")
        own_redis.stop()
        assert phone.send("1").startswith(SORRY)
        time.sleep(1.5)  # Redis down longer than the window
        own_redis.start()
        wait_until(lambda: set_aside(held_settings), "message set aside")
        assert not held(held_settings)
        assert "set aside (expired" in outbox_command(held_settings, "held")
        assert "Proposition 1" in phone.send("Bonjour")  # where they were: the vote was not read
    assert drain(held_settings) == 0
