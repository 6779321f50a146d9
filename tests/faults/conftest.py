"""The fault tests' fixtures: a redis-server the test stops and restarts, and settings whose
held messages are taken again at once."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.settings import Settings
from tests.conftest import IN_CI
from tests.faults.helpers import OwnRedis


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    if shutil.which("redis-server") is None:
        if IN_CI:
            pytest.fail("redis-server is needed for the fault tests")
        pytest.skip("redis-server not installed")
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def held_settings(settings: Settings, tmp_path: Path) -> Settings:
    settings.held_dir = tmp_path / "held"
    settings.held_retry_seconds = 0.2
    return settings
