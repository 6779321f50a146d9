"""A schema-driven fuzz of the consultation API (schemathesis): whatever a client sends that
the OpenAPI schema allows, or nearly, no route answers with a server error."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from bot.app import create_app
from bot.settings import Settings
from tests.conftest import ADMIN_TOKEN, BOT_TOKEN, DATA, POSTGRES_URL, _fresh_postgres

EXAMPLES = 25  # per route; about 20 s for the 30-odd routes on 2 cores
pytestmark = pytest.mark.database  # on SQLite, then again on PostgreSQL (make test)

_folder = tempfile.TemporaryDirectory(prefix="parlons-fuzz-")
APP = create_app(
    Settings(
        database_url=POSTGRES_URL or f"sqlite+aiosqlite:///{Path(_folder.name) / 'fuzz.db'}",
        consultation=DATA / "consultation.yaml",
        pseudonym_key="fuzz-pseudonym-key",
        admin_token=ADMIN_TOKEN,
        api_token=BOT_TOKEN,
    )
)
schema = schemathesis.openapi.from_dict(APP.openapi())


@pytest.fixture(scope="module")
def api() -> Iterator[TestClient]:
    """The app started once (migrations, the consultation loaded), on an empty database.
    Every case goes through this one client: its event loop is the one the database
    connections belong to."""
    if POSTGRES_URL:
        asyncio.run(_fresh_postgres(POSTGRES_URL))
    with TestClient(APP) as client:
        yield client
    _folder.cleanup()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_route_answers_with_a_server_error(case: schemathesis.Case, api: TestClient) -> None:
    # The real consultation and proposals that exist, or nearly: a random slug or id would
    # only ever meet a 404, and the fuzz would not reach the code behind it.
    if case.path_parameters:
        if "slug" in case.path_parameters:
            case.path_parameters["slug"] = "test-city"
        for name in ("proposal_id", "token_id"):
            if isinstance(case.path_parameters.get(name), int):
                case.path_parameters[name] = case.path_parameters[name] % 8
    # As an admin every route is open, so the fuzz reaches past the token check.
    request = case.as_transport_kwargs(headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    response = api.request(
        request["method"],
        request["url"],
        headers=request["headers"],
        params=request.get("params"),
        json=request.get("json"),
        content=request.get("data"),
    )
    assert response.status_code < 500, f"{response.status_code} for {case.as_curl_command()}"
