"""`parlons broadcast` against a local fake Twilio (a real HTTP server reached through Twilio's
own client), with residents who said yes, or no, or STOP through the real SMS webhook."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import datetime

import httpx
from telegram import Bot

from bot.outreach.broadcast import Broadcast, BroadcastFile
from bot.outreach.ledger import Ledger, QuietHours
from bot.outreach.senders import CallSender, SmsSender, TelegramSender
from bot.outreach.twilio_rest import twilio_client
from bot.records.contacts import Contacts
from bot.settings import Settings
from channels.sms_cost import cost
from channels.voices import Voices
from tests.conftest import PUBLIC_URL, sign
from tests.fakes import FakeTelegram, FakeTwilio
from tests.outreach.conftest import (
    ACCOUNT,
    NO,
    PARIS,
    SERVICE,
    SPEC,
    YES,
    FakeClock,
    as_utc,
    command_env,
    converse,
    daytime,
    ledger_rows,
    spec_file,
)


def broadcast(
    contacts: Contacts, fake: FakeTwilio, clock: FakeClock, spec: BroadcastFile = SPEC, **options
) -> Broadcast:
    twilio = twilio_client(ACCOUNT, "twilio-rest-token", fake.url)  # type: ignore[attr-defined]
    sender = SmsSender(twilio, SERVICE, plain=["fr", "en"])
    ledger = Ledger(
        contacts._tables, {"sms": sender}, PUBLIC_URL, clock=clock, sleep=clock.sleep, **options
    )
    return Broadcast(spec, contacts, ledger, "fr")


async def test_only_residents_who_said_yes_and_not_stop_are_messaged(
    live: httpx.Client, contacts: Contacts, fake_twilio: FakeTwilio
) -> None:
    converse(live, "+33600000001", YES)
    converse(live, "+33600000002", NO)
    converse(live, "+33600000003", YES)
    converse(live, "+33600000003", ["STOP"])
    converse(live, "+33600000004", YES[:3])  # left before the question
    converse(live, "+33600000005", ["Hello", *YES[1:]])

    summary = await broadcast(contacts, fake_twilio, daytime()).run()

    sent = {(m["To"], m["Body"][:16]) for m in fake_twilio.messages}
    assert sent == {("+33600000001", "Les résultats so"), ("+33600000005", "The results are ")}
    assert all(m["MessagingServiceSid"] == SERVICE for m in fake_twilio.messages)
    assert summary.statuses == {"sent": 2}


async def test_stop_during_a_broadcast_stops_further_messages(
    live: httpx.Client, contacts: Contacts, fake_twilio: FakeTwilio
) -> None:
    numbers = ["+33600000011", "+33600000012", "+33600000013"]
    for number in numbers:
        converse(live, number, YES)

    stopping = []

    def resident_says_stop(count: int, form: dict[str, str]) -> None:
        if count == 1:  # while the first message is being sent, one not yet messaged says STOP
            stopping.append(next(n for n in numbers if n != form["To"]))
            converse(live, stopping[0], ["STOP"])

    fake_twilio.on_request = resident_says_stop
    summary = await broadcast(contacts, fake_twilio, daytime()).run()

    received = [m["To"] for m in fake_twilio.messages]
    assert len(received) == 2 and stopping[0] not in received
    assert summary.statuses == {"sent": 2, "stopped": 1}


async def test_erase_while_their_message_is_on_its_way_leaves_no_record_of_it(
    live: httpx.Client, contacts: Contacts, fake_twilio: FakeTwilio
) -> None:
    numbers = ["+33600000014", "+33600000015"]
    for number in numbers:
        converse(live, number, YES)

    def first_resident_erases(count: int, form: dict[str, str]) -> None:
        if count == 1:  # Twilio has their message, and has not answered yet
            converse(live, form["To"], ["SUPPRIMER", "1"])

    fake_twilio.on_request = first_resident_erases
    summary = await broadcast(contacts, fake_twilio, daytime()).run()

    assert summary.statuses == {"erased": 1, "sent": 1}  # the broadcast went on
    [kept] = await ledger_rows(contacts)
    assert kept.status == "sent" and f"tel:{fake_twilio.messages[1]['To']}" in [
        c.address async for c in contacts.reachable() if c.ref == kept.ref
    ]


async def test_stopped_and_started_again_each_resident_gets_exactly_one_message(
    contacts: Contacts, fake_twilio: FakeTwilio
) -> None:
    for n in range(6):
        await contacts.keep(f"ref-{n}", "sms", f"tel:+3360000010{n}", "fr")
    first = broadcast(contacts, fake_twilio, daytime())
    fake_twilio.on_request = lambda count, form: first.stop() if count == 2 else None

    stopped = await first.run()
    assert stopped.statuses == {"sent": 2, "left for the next run": 4}
    resumed = await broadcast(contacts, fake_twilio, daytime()).run()
    again = await broadcast(contacts, fake_twilio, daytime()).run()

    assert resumed.statuses == {"sent": 4} and again.statuses == {}
    received = sorted(m["To"] for m in fake_twilio.messages)
    assert received == [f"+3360000010{n}" for n in range(6)]


async def test_quiet_hours_are_kept(contacts: Contacts, fake_twilio: FakeTwilio) -> None:
    for n in range(3):
        await contacts.keep(f"ref-{n}", "sms", f"tel:+3360000020{n}", "fr")
    clock = FakeClock(datetime(2027, 3, 10, 20, 59, 59, tzinfo=PARIS))
    quiet = QuietHours.parse("21:00-09:00", "Europe/Paris")
    job = broadcast(contacts, fake_twilio, clock, quiet=quiet, rates={"sms": 1 / 3600})

    assert (await job.run()).statuses == {"sent": 3}

    sent_at = sorted(as_utc(row.sent_at).astimezone(PARIS) for row in await ledger_rows(contacts))
    assert [moment.strftime("%d %H:%M:%S") for moment in sent_at] == [
        "10 20:59:59",  # the last second before the quiet hours
        "11 09:00:00",  # the next one waits for the morning
        "11 10:00:00",  # one an hour, as the rate says
    ]


async def test_dry_run_counts_the_segments_that_are_then_sent(
    contacts: Contacts, fake_twilio: FakeTwilio
) -> None:
    languages = ["fr", "fr", "en", "ar", "de"]  # German has no message: it gets French
    for n, language in enumerate(languages):
        await contacts.keep(f"ref-{n}", "sms", f"tel:+3360000030{n}", language)
    job = broadcast(contacts, fake_twilio, daytime())

    plan = await job.plan()
    assert fake_twilio.messages == []  # a dry run sends nothing
    assert plan.messages == {("sms", "fr"): 3, ("sms", "en"): 1, ("sms", "ar"): 1}
    await job.run()

    sent_segments = sum(cost(m["Body"]).segments for m in fake_twilio.messages)
    assert sum(plan.segments.values()) == sent_segments == 3 * 2 + 1 + 1
    assert all("fêtes" not in m["Body"] for m in fake_twilio.messages)  # "fetes": GSM-7


async def test_what_can_be_retried_is_and_what_cannot_is_not(
    contacts: Contacts, fake_twilio: FakeTwilio
) -> None:
    await contacts.keep("ref-a", "sms", "tel:+33600000401", "fr")
    await contacts.keep("ref-b", "sms", "tel:+33600000402", "fr")
    fake_twilio.failures = {
        "+33600000401": [(503, 20500), (429, 20429)],
        "+33600000402": [(400, 21211)],
    }
    clock = daytime()

    summary = await broadcast(contacts, fake_twilio, clock).run()

    rows = {row.ref: row for row in await ledger_rows(contacts)}
    assert (rows["ref-a"].status, rows["ref-a"].attempts) == ("sent", 3)
    assert (rows["ref-b"].status, rows["ref-b"].attempts) == ("failed", 1)
    assert "21211" in rows["ref-b"].error
    assert [m["To"] for m in fake_twilio.messages] == ["+33600000401"]
    assert clock.slept == [2.0, 4.0]  # backing off between tries
    assert summary.statuses == {"sent": 1, "failed": 1}


async def test_delivery_receipts_are_recorded_and_forged_ones_refused(
    live: httpx.Client, contacts: Contacts, fake_twilio: FakeTwilio
) -> None:
    await contacts.keep("ref-a", "sms", "tel:+33600000501", "fr")
    await broadcast(contacts, fake_twilio, daytime()).run()
    (message,) = fake_twilio.messages
    callback = message["StatusCallback"]
    assert callback.startswith(f"{PUBLIC_URL}/webhooks/twilio/status?")
    form = {"MessageSid": "SM1", "MessageStatus": "delivered", "To": "+33600000501"}
    path = callback.removeprefix(PUBLIC_URL)

    forged = live.post(path, data=form, headers={"X-Twilio-Signature": "forged"})
    assert forged.status_code == 403
    assert [row.status for row in await ledger_rows(contacts)] == ["sent"]

    signed = live.post(path, data=form, headers={"X-Twilio-Signature": sign(callback, form)})
    assert signed.status_code == 204
    late = {**form, "MessageStatus": "sent"}  # out of order: does not undo "delivered"
    live.post(path, data=late, headers={"X-Twilio-Signature": sign(callback, late)})
    assert [row.status for row in await ledger_rows(contacts)] == ["delivered"]


async def test_killed_mid_send_and_run_again_never_sends_twice(
    settings: Settings, contacts: Contacts, fake_twilio: FakeTwilio, live: httpx.Client, tmp_path
) -> None:
    """`parlons broadcast` itself, killed (SIGKILL) while Twilio holds the third message: the
    run after it sends the rest, not that one; its delivery receipt still tells."""
    numbers = [f"+3360000060{n}" for n in range(5)]
    for n, number in enumerate(numbers):
        await contacts.keep(f"ref-{n}", "sms", f"tel:{number}", "fr")
    spec = spec_file(tmp_path)
    env = command_env(settings, fake_twilio)  # no quiet hours: the test may run at night
    command = [sys.executable, "-m", "bot.cli", "broadcast", str(spec)]

    dry = subprocess.run([*command, "--dry-run"], env=env, capture_output=True, text=True)
    assert dry.returncode == 0, dry.stderr
    assert "| sms | fr | 5 | 10 |" in dry.stdout and fake_twilio.messages == []

    fake_twilio.hold_at = 3
    first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert await asyncio.to_thread(fake_twilio.held.wait, 120), "the third never came"
    finally:
        first.kill()
        first.communicate()
    fake_twilio.hold_at = None
    fake_twilio.release.set()
    second = subprocess.run(command, env=env, capture_output=True, text=True)
    assert second.returncode == 0, second.stderr
    assert "Done: sent 2" in second.stdout

    assert sorted(m["To"] for m in fake_twilio.messages) == numbers  # each exactly once
    held = fake_twilio.messages[2]
    rows = {row.ref: row for row in await ledger_rows(contacts)}
    unknown = [row for row in rows.values() if row.status == "sending"]
    assert len(unknown) == 1 and f"tel:{held['To']}" in [
        c.address async for c in contacts.reachable() if c.ref == unknown[0].ref
    ]
    callback = held["StatusCallback"]
    form = {"MessageSid": "SM9", "MessageStatus": "delivered"}
    live.post(
        callback.removeprefix(PUBLIC_URL),
        data=form,
        headers={"X-Twilio-Signature": sign(callback, form)},
    )
    assert {row.status for row in await ledger_rows(contacts)} == {"sent", "delivered"}


async def test_each_resident_on_their_own_channel(
    contacts: Contacts, fake_twilio: FakeTwilio, fake_telegram: FakeTelegram
) -> None:
    await contacts.keep("ref-sms", "sms", "tel:+33600000701", "fr")
    await contacts.keep("ref-call", "voice", "tel:+33600000702", "en")
    await contacts.keep("ref-tg", "telegram", "telegram:5550001", "fr")
    await contacts.keep("ref-gone", "telegram", "telegram:5550002", "fr")
    fake_telegram.blocked.add(5550002)
    fake_telegram.retry_after.append(7)
    clock = daytime()
    twilio = twilio_client(ACCOUNT, "twilio-rest-token", fake_twilio.url)  # type: ignore[attr-defined]
    bot = Bot(fake_telegram.token, base_url=f"{fake_telegram.url}/bot")  # type: ignore[attr-defined]
    async with bot:
        senders = {
            "sms": SmsSender(twilio, SERVICE, plain=["fr"]),
            "voice": CallSender(twilio, "+33199000042", Voices(["fr", "en"])),
            "telegram": TelegramSender(bot),
        }
        ledger = Ledger(contacts._tables, senders, PUBLIC_URL, clock=clock, sleep=clock.sleep)
        job = Broadcast(SPEC, contacts, ledger, "fr")
        summary = await job.run()

    assert [m["To"] for m in fake_twilio.messages] == ["+33600000701"]
    (call,) = fake_twilio.calls
    assert (call["To"], call["From"]) == ("+33600000702", "+33199000042")
    assert '<Say language="en-GB" voice="Polly.Amy-Neural">The results are in' in call["Twiml"]
    assert call["StatusCallback"].startswith(f"{PUBLIC_URL}/webhooks/twilio/status?")
    assert [(m["chat_id"], m["text"]) for m in fake_telegram.sent] == [
        (5550001, SPEC.messages["fr"])  # Telegram keeps every letter
    ]
    assert 7.0 in clock.slept  # Telegram's retry_after obeyed
    assert summary.statuses == {"sent": 3, "failed": 1}
