"""`parlons purge`: sessions, contact addresses, dead letters, held messages and recordings
go some time after the consultation closes; ballots and results stay."""

from __future__ import annotations

import asyncio
import io
from contextlib import redirect_stdout
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.cli import main
from bot.ops.purge import Purged, purge
from bot.settings import Settings
from tests.conftest import REDIS_URL, Phone, results

CLOSES = datetime(2099, 12, 31, 22, 59, tzinfo=UTC)  # tests/data/consultation.yaml


def a_consultation_with_traces(settings: Settings, tmp_path: Path) -> None:
    """Residents voted; one asked to hear back; a message was held; a dead letter waits."""
    settings.held_dir = tmp_path / "held"
    with TestClient(create_app(settings)) as client:
        phone = Phone(client, "+33639980190")
        phone.send("Bonjour")
        phone.send("1")
        phone.send("idée")
        phone.send("Il faut des bancs au parc Salvator")
        assert "recevoir les résultats" in phone.send("1")
        phone.send("1")  # yes: keep my address to tell me
    (settings.held_dir / "ref").mkdir(parents=True)
    (settings.held_dir / "ref" / "1.json").write_text("{}")
    r = redis.Redis.from_url(REDIS_URL)
    r.xadd(f"{settings.redis_prefix}outbox:dead", {"e": b"{}", "error": "refused"})
    r.close()


def test_before_its_time_purge_deletes_nothing(redis_settings: Settings, tmp_path: Path) -> None:
    a_consultation_with_traces(redis_settings, tmp_path)
    allowed = asyncio.run(purge(redis_settings, now=CLOSES + timedelta(days=89)))
    assert allowed == CLOSES + timedelta(days=redis_settings.purge_after_days)
    assert (redis_settings.held_dir / "ref" / "1.json").exists()


def test_purge_deletes_what_names_residents_and_keeps_the_results(
    redis_settings: Settings, tmp_path: Path
) -> None:
    a_consultation_with_traces(redis_settings, tmp_path)
    done = asyncio.run(purge(redis_settings, now=CLOSES + timedelta(days=91)))
    assert isinstance(done, Purged)
    assert (done.contacts, done.dead_letters, done.held) == (1, 1, 1)
    assert done.sessions >= 1
    r = redis.Redis.from_url(REDIS_URL)
    assert list(r.scan_iter(f"{redis_settings.redis_prefix}session:*")) == []
    assert r.xlen(f"{redis_settings.redis_prefix}outbox:dead") == 0
    r.close()
    assert not redis_settings.held_dir.exists()
    # Once more: nothing left to delete.
    again = asyncio.run(purge(redis_settings, now=CLOSES + timedelta(days=92)))
    assert (again.contacts, again.dead_letters, again.held, again.sessions) == (0, 0, 0, 0)


def test_purge_leaves_the_ballots(settings: Settings, tmp_path: Path) -> None:
    settings.held_dir = tmp_path / "held"
    with TestClient(create_app(settings)) as client:
        phone = Phone(client, "+33639980191")
        phone.send("Bonjour")
        phone.send("1")
    asyncio.run(purge(settings, now=CLOSES + timedelta(days=91)))
    with TestClient(create_app(settings)) as client:
        assert sum(p["votes"] for p in results(client).values()) == 1


def test_parlons_purge_says_when_it_may_run(
    settings: Settings,
    monkeypatch,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    monkeypatch.setenv("PARLONS_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PARLONS_CONSULTATION", str(settings.consultation))
    monkeypatch.setenv("PARLONS_HELD_DIR", str(tmp_path / "held"))
    out = io.StringIO()
    with redirect_stdout(out):
        main(["purge"])
    assert "nothing deleted before 2100-03-31" in out.getvalue()
