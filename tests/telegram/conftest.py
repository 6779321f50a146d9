"""The Telegram tests: the app with its bot, against the fake Bot API (tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import Settings


@pytest.fixture
def client(telegram_settings: Settings) -> Iterator[TestClient]:
    # Over https, as the public address is: the staff page's cookies are Secure there.
    with TestClient(create_app(telegram_settings), base_url="https://testserver") as c:
        yield c
