"""The load benchmark's residents (bench/residents.py) are what the webhook accepts: signed as
Twilio signs, and their conversation acknowledges the votes and the idea the bench counts."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bench import residents
from bench.residents import Signer
from bot.app import create_app
from bot.settings import DEMO_CONSULTATION, Settings
from tests.conftest import AUTH_TOKEN, PUBLIC_URL, message_text


def post(client: TestClient, raw: bytes) -> str:
    head, body = raw.split(b"\r\n\r\n", 1)
    request_line, *lines = head.decode().split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines)
    response = client.post(request_line.split()[1], content=body, headers=headers)
    assert response.status_code == 200, response.text
    return message_text(response.text)


@pytest.mark.parametrize("path", [residents.SMS_PATH, residents.WHATSAPP_PATH])
def test_a_simulated_resident_is_accepted_and_acknowledged(tmp_path: Path, path: str) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/parlons.db",
        public_url=PUBLIC_URL,
        consultation=DEMO_CONSULTATION,
        twilio_auth_token=AUTH_TOKEN,
    )
    signer = Signer(AUTH_TOKEN, PUBLIC_URL, "testserver", path)
    with TestClient(create_app(settings)) as client:
        replies = [post(client, signer.request(f)) for f in residents.forms(signer, 7, "T")]
    assert sum(residents.VOTE_MARKER in r for r in replies) == residents.VOTES_PER_CONVERSATION
    assert sum(residents.IDEA_MARKER in r for r in replies) == residents.IDEAS_PER_CONVERSATION


def test_each_connection_gets_whole_conversations(tmp_path: Path) -> None:
    signer = Signer(AUTH_TOKEN, PUBLIC_URL, "testserver")
    written = residents.write_requests(signer, tmp_path, connections=3, residents=7, run="T")
    turns = len(residents.conversation(0))
    assert written == 7 * turns
    sizes = [len((tmp_path / f"t{k}.req").read_bytes().split(b"\0")) for k in (1, 2, 3)]
    assert sizes == [3 * turns, 2 * turns, 2 * turns]


def test_a_whatsapp_resident_taps_buttons_and_types_votes() -> None:
    """Buttons where their id names no proposal (a pre-signed request cannot know which one a
    vote is about); every vote typed."""
    sent = residents.conversation(0, "whatsapp")
    tapped = [m for m in sent if m.button]
    assert tapped and all(m.button.startswith(":") for m in tapped)
    assert sum(m.body in "123" and not m.button for m in sent) >= residents.VOTES_PER_CONVERSATION
