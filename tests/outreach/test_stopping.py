"""`parlons broadcast` and `parlons notices` as processes, stopped by SIGTERM or SIGINT while
they wait (the quiet hours, the pace, a retry's back-off): each ends at once with status 0,
leaves the ledger as a clean stop does, and a later run sends everything exactly once."""

from __future__ import annotations

import asyncio
import re
import signal
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.records.contacts import Contacts
from bot.settings import Settings
from tests.fakes import FakeTwilio
from tests.outreach.conftest import PARIS, command_env, ledger_rows, spec_file

# Generous: the process finishes the message in hand and closes its database. Without the
# fix it waits out the quiet hours or the pace (an hour here).
ENDS_WITHIN = 15
NUMBERS = [f"+3360000090{n}" for n in range(3)]
SIGNALS = [signal.SIGTERM, signal.SIGINT]


class Command:
    """`parlons ...` running in a process; what it writes to stderr is read as it comes."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._errors: list[str] = []
        threading.Thread(target=self._read_errors, daemon=True).start()

    def _read_errors(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self._errors.append(line)

    @property
    def errors(self) -> str:
        return "".join(self._errors)

    async def until(self, seen: threading.Event | str, timeout: float = 120) -> None:
        """Wait (not timed: a busy machine starts slowly) for a line on stderr, or an event."""
        for _ in range(int(timeout / 0.05)):
            if isinstance(seen, str) and seen in self.errors:
                return
            if isinstance(seen, threading.Event) and seen.is_set():
                return
            assert self.process.poll() is None, f"ended early: {self.errors}"
            await asyncio.sleep(0.05)
        self.process.kill()
        raise AssertionError(f"never saw {seen!r}: {self.errors}")

    def stop(self, how: signal.Signals) -> str:
        """Send the signal; its stdout once it ended, which it must within ENDS_WITHIN."""
        self.process.send_signal(how)
        try:
            out, _ = self.process.communicate(timeout=ENDS_WITHIN)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.communicate()
            raise AssertionError(f"still running {ENDS_WITHIN} s after {how.name}") from None
        assert self.process.returncode == 0, self.errors
        return out


def around_now(hours: float) -> str:
    """Quiet hours that have begun and end `hours` from now, Mulhouse time (the test
    consultation's zone): the test is inside them whatever the hour it runs."""
    now = datetime.now(PARIS)
    start, end = now - timedelta(hours=1), now + timedelta(hours=hours)
    return f"{start:%H:%M}-{end:%H:%M}"


async def residents(contacts: Contacts) -> None:
    for n, number in enumerate(NUMBERS):
        await contacts.keep(f"ref-{n}", "sms", f"tel:{number}", "fr")


def run_to_the_end(spec: Path, env: dict[str, str]) -> str:
    """A run outside the quiet hours, at the default pace: what it prints."""
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "broadcast", str(spec)],
        env={**env, "PARLONS_QUIET_HOURS": "", "PARLONS_SEND_RATES": '{"sms": 10}'},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("how", SIGNALS, ids=lambda s: s.name)
async def test_stopped_while_waiting_out_the_quiet_hours(
    how: signal.Signals,
    settings: Settings,
    contacts: Contacts,
    fake_twilio: FakeTwilio,
    tmp_path: Path,
) -> None:
    await residents(contacts)
    spec = spec_file(tmp_path)
    quiet = around_now(hours=2)
    env = command_env(settings, fake_twilio, PARLONS_QUIET_HOURS=quiet)
    running = Command(["broadcast", str(spec)], env)

    await running.until("quiet hours")
    told = re.search(r"sending resumes at (\d\d:\d\d) on (\S+), Europe/Paris time", running.errors)
    assert told, running.errors
    assert told[1] == quiet.split("-")[1]  # the clock time it would have resumed
    out = running.stop(how)

    assert fake_twilio.messages == [] and await ledger_rows(contacts) == []
    assert "Done: left for the next run 3" in out

    assert "Done: sent 3" in run_to_the_end(spec, env)
    assert sorted(m["To"] for m in fake_twilio.messages) == NUMBERS


@pytest.mark.parametrize("how", SIGNALS, ids=lambda s: s.name)
async def test_stopped_while_waiting_between_paced_messages(
    how: signal.Signals,
    settings: Settings,
    contacts: Contacts,
    fake_twilio: FakeTwilio,
    tmp_path: Path,
) -> None:
    await residents(contacts)
    spec = spec_file(tmp_path)
    env = command_env(settings, fake_twilio, PARLONS_SEND_RATES='{"sms": 0.0003}')  # 1 an hour
    first_sent = threading.Event()
    fake_twilio.on_request = lambda count, form: first_sent.set()
    running = Command(["broadcast", str(spec)], env)

    await running.until(first_sent)
    out = running.stop(how)  # finishes the first, if still in hand; never the next

    assert len(fake_twilio.messages) == 1
    assert [row.status for row in await ledger_rows(contacts)] == ["sent"]  # no other claimed
    assert "Done: left for the next run 2, sent 1" in out

    assert "Done: sent 2" in run_to_the_end(spec, env)
    assert sorted(m["To"] for m in fake_twilio.messages) == NUMBERS


async def test_stopped_while_backing_off_before_a_retry(
    settings: Settings, contacts: Contacts, fake_twilio: FakeTwilio, tmp_path: Path
) -> None:
    await residents(contacts)
    spec = spec_file(tmp_path)
    env = command_env(settings, fake_twilio, PARLONS_SEND_RETRIES="12")  # backs off up to 34 min
    fake_twilio.failures = {NUMBERS[0]: [(503, 20500)] * 11}
    running = Command(["broadcast", str(spec)], env)

    for _ in range(1200):  # the first refusal (not timed: a busy machine starts slowly)
        if len(fake_twilio.failures[NUMBERS[0]]) < 11 or running.process.poll() is not None:
            break
        await asyncio.sleep(0.1)
    out = running.stop(signal.SIGTERM)

    assert fake_twilio.messages == []
    [row] = await ledger_rows(contacts)
    assert row.status == "retry"  # nothing left: the next run tries again
    assert "Done: left for the next run 2, retry 1" in out

    fake_twilio.failures = {}
    assert "Done: sent 3" in run_to_the_end(spec, env)
    assert sorted(m["To"] for m in fake_twilio.messages) == NUMBERS


@pytest.mark.parametrize("how", SIGNALS, ids=lambda s: s.name)
async def test_notices_stopped_while_waiting_for_the_next_look(
    how: signal.Signals, settings: Settings, contacts: Contacts, fake_twilio: FakeTwilio
) -> None:
    running = Command(["notices", "--every", "3600"], command_env(settings, fake_twilio))
    assert running.process.stdout is not None
    line = await asyncio.to_thread(running.process.stdout.readline)
    assert line == "Idea notices: none\n", running.errors

    running.stop(how)
