"""Abuse limits: numbers abroad are not answered (SMS pumping), floods get one polite answer
that says when to go on and are then ignored, never STOP; ideas have a daily ceiling. In
memory and in Redis, on a clock the tests move on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import Settings
from bot.stores import Counted, MemoryStore
from tests.conftest import Phone, admin_get, fake_clock, results

BASE = "/api/v1/consultations/test-city"
SLOW_DOWN = "Vous avez envoyé beaucoup de messages en peu de temps. Vous pourrez répondre à nouveau"
IN_A_MINUTE = f"{SLOW_DOWN} dans 1 minute."
ENOUGH_IDEAS = "C'est le maximum que nous recevons d'une personne en un jour."


@pytest.fixture(params=["memory", "redis"])
def limited(request: pytest.FixtureRequest, settings: Settings) -> Iterator[TestClient]:
    """The app with small limits, its counters in memory or in Redis (production mode)."""
    if request.param == "redis":
        settings = request.getfixturevalue("redis_settings")
    settings.messages_per_minute = {"sms": 6}
    settings.ideas_per_day = 1
    with TestClient(create_app(settings)) as client:
        fake_clock(client)
        yield client


def votes(client: TestClient) -> int:
    return sum(p["votes"] for p in results(client).values())


def test_a_number_of_a_country_not_served_gets_no_answer(client: TestClient) -> None:
    assert Phone(client, "+881612345678").send("Bonjour") == ""  # satellite: premium rate
    assert Phone(client, "+12025550143").send("1") == ""
    assert admin_get(client, f"{BASE}/results")["participants"] == 0
    assert "Proposition 1" in Phone(client, "+33639980170").send("Bonjour")


def test_the_served_country_codes_are_a_setting(settings: Settings) -> None:
    settings.country_codes = ["+33", "+262"]  # La Réunion too
    with TestClient(create_app(settings)) as client:
        assert "Proposition 1" in Phone(client, "+262692000001").send("Bonjour")
        assert Phone(client, "+32470000001").send("Bonjour") == ""


def test_a_flood_gets_one_polite_answer_then_silence_and_stop_still_stops(
    limited: TestClient,
) -> None:
    phone = Phone(limited, "+33639980171")
    assert "Proposition 1" in phone.send("Bonjour")
    for _ in range(5):
        assert phone.send("3") != ""  # six messages: within the limit
    assert phone.send("1") == IN_A_MINUTE  # the seventh: told once, not read
    assert phone.send("1") == ""  # the next ones: not answered (each answer costs)
    assert phone.send("Bonjour") == ""
    assert "START" in phone.send("STOP")  # STOP passes every limit


def test_a_re_delivered_message_is_not_counted_again(limited: TestClient) -> None:
    """Twilio retrying a message it thinks lost is not the resident sending more."""
    phone = Phone(limited, "+33639980177")
    phone.send("Bonjour")
    first = phone.send("1", sid="SMretried")
    for _ in range(6):
        assert phone.send("1", sid="SMretried") == first
    for _ in range(4):
        assert phone.send("3") != ""  # six messages in all: within the limit
    assert phone.send("3") == IN_A_MINUTE


def test_messages_over_the_limit_are_not_read(settings: Settings) -> None:
    settings.messages_per_minute = {"sms": 2}
    with TestClient(create_app(settings)) as client:
        fake_clock(client)
        phone = Phone(client, "+33639980172")
        phone.send("Bonjour")
        phone.send("1")
        assert votes(client) == 1
        assert phone.send("1") == IN_A_MINUTE
        assert votes(client) == 1
        # Another resident is not slowed by this one.
        other = Phone(client, "+33639980173")
        assert "Proposition 1" in other.send("Bonjour")


def test_the_daily_limit_counts_too(settings: Settings) -> None:
    settings.messages_per_day = {"sms": 3}
    with TestClient(create_app(settings)) as client:
        clock = fake_clock(client)  # 8:00 UTC: the day's window ends in 16 hours
        phone = Phone(client, "+33639980174")
        for body in ("Bonjour", "1", "2"):
            assert phone.send(body) != ""
            clock.advance(600)
        assert phone.send("3") == f"{SLOW_DOWN} dans 16 heures."
        clock.advance(16 * 3600)
        assert "Noté" in phone.send("3")  # a new day


def test_a_stopped_resident_over_the_limit_is_never_written_to(settings: Settings) -> None:
    settings.messages_per_minute = {"sms": 3}
    with TestClient(create_app(settings)) as client:
        fake_clock(client)
        phone = Phone(client, "+33639980175")
        phone.send("Bonjour")
        phone.send("STOP")
        assert [phone.send("1") for _ in range(4)] == ["", "", "", ""]


def test_ideas_have_a_daily_ceiling_but_a_danger_is_always_heard(limited: TestClient) -> None:
    phone = Phone(limited, "+33639980176")
    phone.send("Bonjour")
    phone.send("idée")
    phone.send("Il faut des bancs au parc Salvator")
    assert "Un modérateur" in phone.send("1")
    phone.send("2")  # no, thanks: no news of it later
    reply = phone.send("Il faut aussi des fontaines partout")  # a second idea, same day
    assert ENOUGH_IDEAS in reply
    assert "Proposition" in reply  # and the vote goes on
    # The seventh message this minute: a danger disclosed is heard whatever the counts.
    assert "112" in phone.send("mon mari me frappe")


async def test_memory_counters_start_at_the_first_hit_and_end_with_their_window(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [1000.0]
    monkeypatch.setattr("bot.stores.memory.time.monotonic", lambda: now[0])
    store = MemoryStore()
    assert await store.count([Counted("a", 60), Counted("b", 60, 0)]) == [1, 0]
    now[0] += 59
    assert await store.count([Counted("a", 60), Counted("a", 60, 0)]) == [2, 2]
    now[0] += 1
    assert await store.count([Counted("a", 60)]) == [1]  # a new window


async def test_redis_counters_share_one_window_across_workers(redis_settings: Settings) -> None:
    import redis.asyncio as redis

    from bot.stores.redis import RedisStore

    client = redis.Redis.from_url(redis_settings.redis_url)
    try:
        one = RedisStore(client, redis_settings.redis_prefix)
        two = RedisStore(client, redis_settings.redis_prefix)
        assert await one.count([Counted("m", 60), Counted("i", 86400, 0)]) == [1, 0]
        assert await two.count([Counted("m", 60)]) == [2]
        ttl = await client.ttl(f"{redis_settings.redis_prefix}count:m")
        assert 0 < ttl <= 60
    finally:
        await client.aclose()
