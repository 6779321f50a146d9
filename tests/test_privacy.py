"""No phone number reaches the API, the database or a log line."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import Settings
from tests.conftest import ADMIN_TOKEN, Phone

NUMBER = "+33639980199"
# The number as it may be written: E.164, without "+", national, without the trunk zero.
WRITTEN = [NUMBER, NUMBER[1:], "0639980199", "639980199", "06 39 98 01 99"]


def test_a_phone_number_is_never_stored_logged_or_exported(
    settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # everything, SQL statements and their parameters included
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
    try:
        with TestClient(create_app(settings)) as client:
            phone = Phone(client, NUMBER)
            for text in ["Bonjour", "1", "2", "xyz", "STOP", "1", "START", "3"]:
                phone.send(text)
            auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
            exported = client.get("/api/v1/consultations/test-city/results", headers=auth).text
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)

    assert json.loads(exported)["participants"] == 1  # the resident did take part...
    assert "INSERT INTO ballots" in caplog.text  # ...and the SQL was indeed logged
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("parlons.db*"))
    for written in WRITTEN:
        assert written not in caplog.text, f"{written!r} in a log line"
        assert written.encode() not in stored, f"{written!r} in the database"
        assert written.encode("utf-16-le") not in stored
        assert written not in exported
