"""A caller with a withheld number takes part for that one call: when Twilio reports the
call ended, their session is deleted at once, not kept until it expires. In the embedded
store and in Redis (production mode), through the Twilio Voice webhooks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import Settings
from tests.twilio_voice import Caller, check_twiml


@pytest.fixture(params=["memory", "redis"])
def app(request: pytest.FixtureRequest, settings: Settings) -> Iterator[TestClient]:
    if request.param == "redis":
        settings = request.getfixturevalue("redis_settings")
    with TestClient(create_app(settings)) as client:
        yield client


def stored_session(client: TestClient, caller: Caller, withheld: bool) -> bytes | None:
    """The session the store holds for this caller, read as the runtime reads it."""
    runtime = client.app.state.parlons.runtime
    address = f"call:{caller.sid}" if withheld else f"tel:{caller.number}"
    ref = runtime.pseudonyms.ref(address)

    async def read() -> bytes | None:
        async with runtime.store.turn(ref, "test:read") as state:  # saves nothing
            return state.session

    return client.portal.call(read)


def test_a_withheld_callers_session_is_deleted_when_they_hang_up(app: TestClient) -> None:
    caller = Caller(app, None)
    caller.call()
    caller.press("1")
    caller.press("1")
    assert stored_session(app, caller, withheld=True) is not None
    assert check_twiml(caller.hang_up()).findall("*") == []  # the status callback
    assert stored_session(app, caller, withheld=True) is None
    caller.hang_up()  # Twilio posting the status again: still nothing, no error
    assert stored_session(app, caller, withheld=True) is None


def test_a_known_callers_session_outlives_the_call(app: TestClient) -> None:
    caller = Caller(app, "+33639980401")
    caller.call()
    caller.press("1")
    caller.press("1")
    caller.hang_up()
    assert stored_session(app, caller, withheld=False) is not None  # the next call resumes
