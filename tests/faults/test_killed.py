"""A ballot the resident was thanked for survives the process: `parlons serve` is killed
(SIGKILL, nothing flushed, nothing closed) while residents vote, and every vote acknowledged
with "Noté." is in the database afterwards (README, "Durable")."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from api.models import Ballot, Participant
from bot.settings import Settings
from bot.turns.identity import Pseudonyms
from tests.conftest import ADMIN_TOKEN, AUTH_TOKEN, BOT_TOKEN, PUBLIC_URL, SMS_URL, sign, sms_form
from tests.faults.helpers import free_port, wait_until

RESIDENTS = 24
VOTES = 5  # each resident's, at most
KILL_AFTER = 40  # acknowledged votes, all residents together
KEY = "test-pseudonym-key-of-the-killed-server"


def test_a_killed_server_loses_no_acknowledged_ballot(settings: Settings, tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "PARLONS_DATABASE_URL": settings.database_url,
        "PARLONS_HELD_DIR": str(tmp_path / "held"),
        "PARLONS_PUBLIC_URL": PUBLIC_URL,
        "PARLONS_PSEUDONYM_KEY": KEY,
        "PARLONS_ADMIN_TOKEN": ADMIN_TOKEN,
        "PARLONS_API_TOKEN": BOT_TOKEN,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
    }
    parlons = Path(sys.executable).parent / "parlons"
    with (tmp_path / "serve.log").open("wb") as log:
        server = subprocess.Popen(
            [str(parlons), "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: _answers(f"{base}/healthz"), "the server answers", seconds=90)
        acked: Counter[str] = Counter()
        lock, killed = threading.Lock(), threading.Event()

        def resident(n: int) -> None:
            number = f"+3363998{n:04d}"
            with httpx.Client(base_url=base, timeout=30) as http:
                for body in ("Bonjour", *["1"] * VOTES):
                    form = sms_form(number, body)
                    headers = {"X-Twilio-Signature": sign(SMS_URL, form)}
                    try:
                        reply = http.post("/webhooks/twilio/sms", data=form, headers=headers)
                    except httpx.HTTPError:
                        return  # the server is gone: this reply never came
                    if "Noté." in reply.text:
                        with lock:
                            acked[number] += 1
                            if sum(acked.values()) >= KILL_AFTER:
                                killed.set()

        with ThreadPoolExecutor(RESIDENTS) as residents:
            running = [residents.submit(resident, n) for n in range(RESIDENTS)]
            assert killed.wait(120), "the residents never voted enough"
            os.killpg(server.pid, signal.SIGKILL)  # while other turns are on their way
            server.wait()
            for done in running:
                done.result()
        with lock:
            thanked = dict(acked)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    stored = asyncio.run(_ballots_by_ref(settings.database_url))
    pseudonyms = Pseudonyms(KEY)
    lost = {
        number: (votes, stored.get(pseudonyms.ref(f"tel:{number}"), 0))
        for number, votes in thanked.items()
        if stored.get(pseudonyms.ref(f"tel:{number}"), 0) < votes
    }
    print(f"{sum(thanked.values())} votes thanked, {sum(stored.values())} stored")
    assert KILL_AFTER <= sum(thanked.values()) < RESIDENTS * VOTES  # killed mid-run
    assert not lost, f"thanked, not stored (thanked, stored): {lost}"


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).is_success
    except httpx.HTTPError:
        time.sleep(0.2)
        return False


async def _ballots_by_ref(url: str) -> dict[str, int]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as db:
            rows = await db.execute(
                select(Participant.ref, func.count(Ballot.id))
                .join(Ballot, Ballot.participant_id == Participant.id)
                .group_by(Participant.ref)
            )
            return dict(rows.all())
    finally:
        await engine.dispose()
