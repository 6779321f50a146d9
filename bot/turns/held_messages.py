"""Messages a fault kept us from taking, kept until the stores answer again.

When a turn fails (Redis or the database unreachable) or takes longer than Twilio waits (the
API slow), the SMS webhook still answers 200 with TwiML: Twilio does not re-deliver an SMS
after an error, so an error would lose the message. The message is kept here, on local disk,
its address encrypted (like the contacts, under PARLONS_CONTACT_KEY), and taken again:

- by `retake_all`, every few seconds while any is held, once the stores answer;
- before any newer message of the same resident, so their messages count in order.

The replies of a message taken late never reached the resident: they are owed, and the
resident's next message is answered with them (the question they have not seen), not read
as an answer to it; STOP and a disclosed danger are read as always.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.records.contacts import fernet
from bot.turns import replay
from channels.base import Inbound, Outcome
from dialogs import Media, Press, Say, Text
from dialogs.i18n import translator

log = logging.getLogger(__name__)

EVENTS = {cls.__name__: cls for cls in (Text, Press, Media)}
MAX_FAILURES = 3  # tries with every store answering, before a message is set aside


class HeldMessages:
    """One folder per resident (their pseudonymous ref), one file per message, in order."""

    def __init__(self, folder: Path, secret: str) -> None:
        self.folder = folder
        self._fernet = fernet(secret)

    def keep(self, ref: str, inbound: Inbound) -> None:
        record = {
            "channel": inbound.channel,
            "message_id": inbound.message_id,
            "address": self._fernet.encrypt(inbound.address.encode()).decode(),
            "event": type(inbound.event).__name__,
            "fields": dataclasses.asdict(inbound.event),
        }
        name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.json"
        _write(self.folder / ref / name, json.dumps(record).encode())
        log.warning("message held until the stores answer ref=%s", ref)

    def refs(self) -> list[str]:
        """Residents with messages held or replies owed."""
        if not self.folder.is_dir():
            return []
        return sorted(p.name for p in self.folder.iterdir() if p.is_dir() and p.name[0] != ".")

    def waiting(self) -> int:
        return sum(len(list((self.folder / ref).glob("*.json"))) for ref in self.refs())

    def messages(self, ref: str) -> list[tuple[Path, Inbound]]:
        found = []
        for path in sorted((self.folder / ref).glob("*.json")):
            record = json.loads(path.read_bytes())
            event = EVENTS[record["event"]](**record["fields"])
            address = self._fernet.decrypt(record["address"].encode()).decode()
            found.append((path, Inbound(record["channel"], record["message_id"], address, event)))
        return found

    def owe(self, ref: str, outcome: Outcome) -> None:
        """Remember the replies of a message taken late; the latest ones are what counts."""
        _write(self.folder / ref / "owed", replay.encode(outcome))

    def take_owed(self, ref: str) -> Outcome | None:
        path = self.folder / ref / "owed"
        try:
            claimed = path.rename(path.with_name(f"owed.{uuid.uuid4().hex[:8]}"))
        except FileNotFoundError:
            return None
        outcome = replay.decode(claimed.read_bytes())
        claimed.unlink()
        _tidy(self.folder / ref)
        return outcome

    def failed(self, path: Path) -> None:
        record = json.loads(path.read_bytes())
        record["failures"] = record.get("failures", 0) + 1
        if record["failures"] < MAX_FAILURES:
            _write(path, json.dumps(record).encode())
            return
        log.error("held message set aside after %d failures ref=%s", MAX_FAILURES, path.parent.name)
        _write(
            self.folder / ".set-aside" / path.parent.name / path.name, json.dumps(record).encode()
        )
        self.done(path)

    def done(self, path: Path) -> None:
        path.unlink(missing_ok=True)
        _tidy(path.parent)


def _write(path: Path, data: bytes) -> None:
    # Written whole then renamed: a crash leaves no half message behind.
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    os.replace(partial, path)


def _tidy(folder: Path) -> None:
    try:
        folder.rmdir()  # only when empty
    except OSError:
        pass


Turn = Callable[[Inbound], Awaitable[Outcome]]


class FaultTolerant:
    """The SMS webhook's handler: a turn that fails or is too slow is held, and the resident
    told so, in place of an error Twilio would drop."""

    def __init__(
        self,
        turn: Turn,
        held: HeldMessages,
        ref_of: Callable[[str], str],
        always_heard: Callable[[Inbound], bool],
        language: Callable[[], str],
        deadline_seconds: float,
        healthy: Callable[[], Awaitable[bool]],
    ) -> None:
        self.turn = turn
        self.held = held
        self.ref_of = ref_of
        self.always_heard = always_heard
        self.language = language
        self.deadline = deadline_seconds
        self.healthy = healthy
        self._retaking: dict[str, asyncio.Lock] = {}

    async def __call__(self, inbound: Inbound) -> Outcome:
        ref = self.ref_of(inbound.address)
        try:
            async with asyncio.timeout(self.deadline):
                # This resident's held messages first, so that theirs count in order.
                if not await self.retake(ref):
                    raise HeldBefore(ref)
                owed = self.held.take_owed(ref)
                if owed is not None and not self.always_heard(inbound):
                    log.info("answered with the replies owed since a fault ref=%s", ref)
                    return Outcome(
                        (Say(self._sorry(owed.language, late=True)), *owed.replies), owed.language
                    )
                return await self.turn(inbound)
        except Exception as e:  # noqa: BLE001 (any failure: keep the message, say so)
            log.error("turn failed, message held ref=%s error=%s", ref, type(e).__name__)
            self.held.keep(ref, inbound)
            language = self.language()
            return Outcome((Say(self._sorry(language, late=False)),), language)

    async def retake(self, ref: str) -> bool:
        """Take `ref`'s held messages, in order; False when one still fails."""
        lock = self._retaking.setdefault(ref, asyncio.Lock())
        async with lock:
            for path, inbound in self.held.messages(ref):
                try:
                    outcome = await self.turn(inbound)
                except Exception as e:  # noqa: BLE001
                    log.info("held message not taken yet ref=%s error=%s", ref, type(e).__name__)
                    if await self.healthy():
                        # The stores answer and it still fails: after a few tries it is set
                        # aside for an operator, so that it blocks no newer message.
                        self.held.failed(path)
                    return False
                self.held.owe(ref, outcome)
                self.held.done(path)
                log.info("held message taken ref=%s", ref)
        return True

    async def retake_all(self) -> int:
        """Every resident's held messages, until one fails (the stores are still down); how
        many are still held."""
        for ref in self.held.refs():
            if not await self.retake(ref):
                break
        return self.held.waiting()

    def _sorry(self, language: str, late: bool) -> str:
        t = translator(language)
        if late:
            return t.gettext(
                "Sorry for the wait: your last message is counted. Here is where we are."
            )
        return t.gettext(
            "Sorry, we cannot answer just now. Your message is kept and will count. We will "
            "answer your next message."
        )


async def keep_retaking(tolerant: FaultTolerant, every: float) -> None:
    """The app's background task: held messages are taken as soon as the stores answer."""
    while True:
        await asyncio.sleep(every)
        if tolerant.held.refs():
            try:
                await tolerant.retake_all()
            except Exception:  # noqa: BLE001 (a broken file must not stop the others' turn)
                log.exception("taking held messages failed")


class HeldBefore(RuntimeError):
    """An older message of this resident is still held: this one waits behind it."""
