"""`parlons broadcast`: one message, per language, to every resident who asked to hear back, on
their own channel. Claimed in the ledger before it leaves (never twice, even when stopped and
started again), paced per channel, never at night, retried when nothing was sent, and counted
beforehand in a dry run."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import TextIO
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tqdm import tqdm

from bot.contacts import Contacts, Reachable
from bot.models import BroadcastSend
from bot.outbound import Refused, Retry, Sender, Uncertain
from channels.sms_cost import cost

STATUS_PATH = "/webhooks/twilio/status"


class BroadcastFile(BaseModel):
    """What an operator writes: a name (the ledger's key: the same name resumes) and the
    message in each language; residents of another language get the default one."""

    name: str = Field(min_length=1, max_length=64)
    messages: dict[str, str] = Field(min_length=1)


def read_broadcast(path: Path) -> BroadcastFile:
    return BroadcastFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


@dataclass(frozen=True, slots=True)
class QuietHours:
    """No message between `start` and `end`, local time (e.g. 21:00-09:00)."""

    start: time
    end: time
    zone: ZoneInfo

    @classmethod
    def parse(cls, text: str, zone: str) -> QuietHours | None:
        if not text.strip():
            return None
        start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
        return cls(start, end, ZoneInfo(zone))

    def wait(self, now: datetime) -> float:
        """Seconds until messages may be sent again; 0 outside the quiet hours."""
        local = now.astimezone(self.zone)
        clock = local.time().replace(tzinfo=None)
        overnight = self.start > self.end
        quiet = (
            (clock >= self.start or clock < self.end)
            if overnight
            else self.start <= clock < self.end
        )
        if not quiet:
            return 0.0
        ends = datetime.combine(local.date(), self.end, self.zone)
        if ends <= local:
            ends += timedelta(days=1)
        return (ends - local).total_seconds()


@dataclass
class Plan:
    """What a broadcast would send now: counted before anything leaves (`--dry-run`)."""

    messages: Counter[tuple[str, str]] = field(default_factory=Counter)  # (channel, language)
    segments: Counter[str] = field(default_factory=Counter)  # SMS segments per language
    already: int = 0  # sent (or claimed) by an earlier run of the same broadcast
    unreachable: int = 0  # a channel this broadcast cannot send on

    def table(self) -> str:
        rows = ["| channel | language | messages | SMS segments |", "|---|---|---|---|"]
        for (channel, language), count in sorted(self.messages.items()):
            segments = self.segments[language] if channel == "sms" else "-"
            rows.append(f"| {channel} | {language} | {count} | {segments} |")
        total = sum(self.messages.values())
        rows.append(f"| all | | {total} | {sum(self.segments.values())} |")
        notes = [f"already sent by an earlier run: {self.already}"]
        if self.unreachable:
            notes.append(f"on a channel not configured here: {self.unreachable}")
        return "\n".join(rows + notes)


@dataclass
class Summary:
    statuses: Counter[str] = field(default_factory=Counter)

    def line(self) -> str:
        return (
            ", ".join(f"{status} {n}" for status, n in sorted(self.statuses.items())) or "nothing"
        )


class Broadcast:
    def __init__(
        self,
        spec: BroadcastFile,
        contacts: Contacts,
        ledger: async_sessionmaker[AsyncSession],
        senders: Mapping[str, Sender],
        default_language: str,
        public_url: str,
        quiet: QuietHours | None = None,
        rates: Mapping[str, float] | None = None,
        retries: int = 3,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        progress: TextIO | None = None,
    ) -> None:
        if default_language not in spec.messages:
            raise ValueError(f"the broadcast has no message in {default_language!r}")
        self.spec = spec
        self._contacts = contacts
        self._ledger = ledger
        self._senders = senders
        self._default = default_language
        self._public_url = public_url.rstrip("/")
        self._quiet = quiet
        self._rates = rates or {}
        self._retries = retries
        self._clock = clock
        self._sleep = sleep
        self._progress = progress
        self._next_at: dict[str, datetime] = {}
        self._stopping = False

    def stop(self) -> None:
        """Finish the message in hand, then stop: a later run goes on from there."""
        self._stopping = True

    def language_for(self, contact: Reachable) -> str:
        return contact.language if contact.language in self.spec.messages else self._default

    def text_for(self, sender: Sender, language: str) -> str:
        return sender.render(self.spec.messages[language], language)

    async def plan(self) -> Plan:
        plan = Plan()
        for contact in await self._to_reach(plan):
            sender = self._senders.get(contact.channel)
            if sender is None:
                plan.unreachable += 1
                continue
            language = self.language_for(contact)
            plan.messages[(contact.channel, language)] += 1
            if contact.channel == "sms":
                plan.segments[language] += cost(self.text_for(sender, language)).segments
        return plan

    async def run(self) -> Summary:
        summary = Summary()
        todo = await self._to_reach(Plan())
        bar = tqdm(
            todo,
            desc=self.spec.name,
            unit="msg",
            file=self._progress,
            disable=self._progress is None,
        )
        for listed in bar:
            if self._stopping:
                summary.statuses["left for the next run"] += 1
                continue
            await self._wait_turn(listed.channel)
            contact = await self._contacts.get(listed.ref)  # STOP since we started: nothing
            sender = self._senders.get(listed.channel)
            if contact is None or sender is None:
                summary.statuses["stopped" if contact is None else "no channel"] += 1
                continue
            summary.statuses[await self._send(contact, sender)] += 1
        bar.close()
        return summary

    async def _to_reach(self, plan: Plan) -> list[Reachable]:
        """Everyone reachable now, less those an earlier run already sent to (or tried:
        only a "retry", where nothing left, is tried again)."""
        async with self._ledger() as db:
            rows = await db.scalars(
                select(BroadcastSend.ref).where(
                    BroadcastSend.broadcast == self.spec.name, BroadcastSend.status != "retry"
                )
            )
            done = set(rows.all())
        todo = []
        async for contact in self._contacts.reachable():
            if contact.ref in done:
                plan.already += 1
            else:
                todo.append(contact)
        return todo

    async def _wait_turn(self, channel: str) -> None:
        """At most `rates[channel]` messages a second on each channel, and none in the quiet
        hours (checked last: pacing may have brought us into them)."""
        rate = self._rates.get(channel)
        due = self._next_at.get(channel)
        if rate and due is not None and due > self._clock():
            await self._sleep((due - self._clock()).total_seconds())
        if self._quiet is not None and (wait := self._quiet.wait(self._clock())) > 0:
            tqdm.write(f"quiet hours: waiting {wait / 3600:.1f} h", file=self._progress)
            await self._sleep(wait)
        if rate:
            self._next_at[channel] = self._clock() + timedelta(seconds=1 / rate)

    async def _send(self, contact: Reachable, sender: Sender) -> str:
        language = self.language_for(contact)
        text = self.text_for(sender, language)
        segments = cost(text).segments if sender.channel == "sms" else 0
        await self._claim(contact, language, segments)
        query = urlencode({"broadcast": self.spec.name, "ref": contact.ref})
        callback = f"{self._public_url}{STATUS_PATH}?{query}"
        status, provider_id, error, attempt = "retry", None, None, 0
        while attempt < self._retries:
            attempt += 1
            if attempt > 1:
                await self._wait_turn(sender.channel)
            try:
                provider_id = await sender.send(contact, text, callback)
                status, error = "sent", None
                break
            except Retry as retry:
                error = str(retry)
                if attempt < self._retries:
                    await self._sleep(retry.after or 2.0**attempt)
            except Refused as refused:
                status, error = "failed", str(refused)
                break
            except Uncertain as uncertain:
                status, error = "sending", str(uncertain)  # a delivery receipt may still tell
                break
        async with self._ledger.begin() as db:
            row = await db.get(BroadcastSend, (self.spec.name, contact.ref))
            row.status, row.provider_id, row.error = status, provider_id, error
            row.attempts += attempt
            if status == "sent":
                row.sent_at = self._clock().astimezone(UTC)
        return status

    async def _claim(self, contact: Reachable, language: str, segments: int) -> None:
        """Written before the message leaves: if we stop mid-send, it is not sent again."""
        async with self._ledger.begin() as db:
            row = await db.get(BroadcastSend, (self.spec.name, contact.ref))
            if row is None:
                row = BroadcastSend(broadcast=self.spec.name, ref=contact.ref, attempts=0)
                db.add(row)
            row.channel, row.language, row.segments = contact.channel, language, segments
            row.status = "sending"
