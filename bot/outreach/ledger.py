"""One message to one resident, exactly once: claimed in the ledger before it leaves, paced
per channel, never in the quiet hours, retried only when nothing was sent. Broadcasts and idea
notices both send through it. Asked to stop (SIGINT, SIGTERM), every wait ends at once: the
message in hand is finished, the rest is left for the next run."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import TextIO
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tqdm import tqdm

from bot.outreach.senders import MaybeSent, NotSent, Sender, Undeliverable
from bot.records.contacts import Reachable
from bot.records.models import BroadcastSend
from bot.records.optouts import OptOuts
from channels.sms_cost import cost

STATUS_PATH = "/webhooks/twilio/status"


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

    def resumes(self, now: datetime) -> datetime | None:
        """When messages may be sent again, local time; None outside the quiet hours."""
        local = now.astimezone(self.zone)
        clock = local.time().replace(tzinfo=None)
        if self.start > self.end:  # overnight
            quiet = clock >= self.start or clock < self.end
        else:
            quiet = self.start <= clock < self.end
        if not quiet:
            return None
        ends = datetime.combine(local.date(), self.end, self.zone)
        if ends <= local:
            ends += timedelta(days=1)
        return ends

    def wait(self, now: datetime) -> float:
        """Seconds until messages may be sent again; 0 outside the quiet hours."""
        ends = self.resumes(now)
        return (ends - now.astimezone(self.zone)).total_seconds() if ends else 0.0

    def saying(self, now: datetime) -> str:
        """What an operator reads while a run waits: the clock time it resumes, and when."""
        ends = self.resumes(now)
        assert ends is not None
        hours = self.wait(now) / 3600
        return (
            f"quiet hours ({self.start:%H:%M}-{self.end:%H:%M}): sending resumes at "
            f"{ends:%H:%M} on {ends:%Y-%m-%d}, {self.zone.key} time (in {hours:.1f} h). "
            "Ctrl-C stops; a later run goes on."
        )


@dataclass
class Ledger:
    tables: async_sessionmaker[AsyncSession]
    senders: Mapping[str, Sender]
    public_url: str
    quiet: QuietHours | None = None
    rates: Mapping[str, float] = field(default_factory=dict)
    retries: int = 3
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    progress: TextIO | None = None
    stopping: bool = field(default=False, init=False)
    _next_at: dict[str, datetime] = field(default_factory=dict)
    _wake: asyncio.Event = field(default_factory=asyncio.Event, init=False)
    _loop: asyncio.AbstractEventLoop | None = field(default=None, init=False)

    def quiet_for(self) -> float:
        return self.quiet.wait(self.clock()) if self.quiet is not None else 0.0

    def stop(self) -> None:
        """Asked to stop (a signal handler, or another thread): the message in hand is
        finished, every wait ends at once, nothing more is sent."""
        self.stopping = True
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    async def pause(self, seconds: float) -> bool:
        """Wait `seconds`, or less if asked to stop meanwhile: whether to go on."""
        self._loop = asyncio.get_running_loop()  # before reading `stopping`: see stop()
        if self.stopping or seconds <= 0:
            return not self.stopping
        nap = asyncio.ensure_future(self.sleep(seconds))
        woken = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({nap, woken}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            nap.cancel()
            woken.cancel()
        return not self.stopping

    async def done(self, name: str) -> set[str]:
        """Residents `name` was sent (or claimed) for: only a "retry", where nothing left, is
        tried again."""
        async with self.tables() as db:
            rows = await db.scalars(
                select(BroadcastSend.ref).where(
                    BroadcastSend.broadcast == name, BroadcastSend.status != "retry"
                )
            )
            return set(rows.all())

    async def wait_turn(self, channel: str) -> bool:
        """At most `rates[channel]` messages a second on each channel, and none in the quiet
        hours (checked last: pacing may have brought us into them). Whether to send: False
        once asked to stop."""
        rate = self.rates.get(channel)
        due = self._next_at.get(channel)
        if rate and due is not None and due > self.clock():
            if not await self.pause((due - self.clock()).total_seconds()):
                return False
        if self.quiet is not None and (wait := self.quiet_for()) > 0:
            tqdm.write(self.quiet.saying(self.clock()), file=self.progress)
            if not await self.pause(wait):
                return False
        if rate:
            self._next_at[channel] = self.clock() + timedelta(seconds=1 / rate)
        return not self.stopping

    async def deliver(
        self, name: str, to: Reachable, sender: Sender, text: str, language: str
    ) -> str:
        """Send `text` (as the sender renders it) once; the ledger's status for it ("erased":
        the resident sent ERASE meanwhile; "retry" when asked to stop between tries: nothing
        left, the next run tries again). The caller has waited its turn for the first try."""
        segments = cost(text).segments if sender.channel == "sms" else 0
        await self._claim(name, to, language, segments)
        callback = f"{self.public_url.rstrip('/')}{STATUS_PATH}?"
        callback += urlencode({"broadcast": name, "ref": to.ref})
        status, provider_id, error, attempt = "retry", None, None, 0
        while attempt < self.retries:
            if attempt > 0 and not await self.wait_turn(sender.channel):
                break  # asked to stop: this try is left for the next run
            attempt += 1
            try:
                provider_id = await sender.send(to, text, callback)
                status, error = "sent", None
                break
            except NotSent as not_sent:
                error = str(not_sent)
                after = not_sent.after or 2.0**attempt
                if attempt < self.retries and not await self.pause(after):
                    break
            except Undeliverable as undeliverable:
                status, error = "failed", str(undeliverable)
                if undeliverable.unreachable:  # blocked us, or cannot receive: like STOP
                    await OptOuts(self.tables).opt_out(to.ref)
                break
            except MaybeSent as maybe_sent:
                status, error = "sending", str(maybe_sent)  # a delivery receipt may still tell
                break
        async with self.tables.begin() as db:
            row = await db.get(BroadcastSend, (name, to.ref))
            if row is None:  # they sent ERASE while it was on its way: keep nothing of them
                return "erased"
            row.status, row.provider_id, row.error = status, provider_id, error
            row.attempts += attempt
            if status == "sent":
                row.sent_at = self.clock().astimezone(UTC)
        return status

    async def _claim(self, name: str, to: Reachable, language: str, segments: int) -> None:
        """Written before the message leaves: if we stop mid-send, it is not sent again."""
        async with self.tables.begin() as db:
            row = await db.get(BroadcastSend, (name, to.ref))
            if row is None:
                row = BroadcastSend(broadcast=name, ref=to.ref, attempts=0)
                db.add(row)
            row.channel, row.language, row.segments = to.channel, language, segments
            row.status = "sending"


async def forget(ledger: async_sessionmaker[AsyncSession], ref: str) -> None:
    """ERASE: the resident's messages leave the ledger. No "sent to N" is kept apart from these
    rows (a dry run counts them, a run's summary is printed and gone), so the figures count
    them no more: a count kept by the side would outlive the erasure. The price: should the
    same number come back and ask to hear back again, a later run of the same broadcast
    reaches them as the newcomer they are."""
    async with ledger.begin() as db:
        await db.execute(delete(BroadcastSend).where(BroadcastSend.ref == ref))
