"""Messages a fault kept us from taking, kept until the stores answer again.

When a turn fails (Redis or the database unreachable) or takes longer than Twilio waits (the
API slow), the SMS webhook still answers 200 with TwiML: Twilio does not re-deliver an SMS
after an error, so an error would lose the message. The message is kept here, on local disk,
its address encrypted (like the contacts, under PARLONS_CONTACT_KEY), and taken again:

- by `keep_retaking`, every few seconds while any is held and the stores answer, each
  resident apart, so that one whose message must wait delays no other;
- before any newer message of the same resident, so their messages count in order.

A held message is taken again until it is counted. A store down, a lock left by a turn that
died (until its lease ends), a slow database or API: each is a wait, never a failure. It is
set aside for an operator (`.set-aside`, `parlons outbox held`, `/metrics`) only when the API
refuses it (a ballot on a proposal gone: it would be refused forever), or once it waited
longer than its window (`PARLONS_REPLAY_HOURS`: as long as a message already counted is
recognised, so that a late one can never count twice).

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
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from cryptography.fernet import InvalidToken

from bot.api_client import ApiRefused
from bot.ops import metrics
from bot.records.contacts import fernet
from bot.turns import replay
from channels.base import Inbound, Outcome
from dialogs import Media, Press, Say, Text
from dialogs.i18n import translator

log = logging.getLogger(__name__)

EVENTS = {cls.__name__: cls for cls in (Text, Press, Media)}
SET_ASIDE = ".set-aside"
# A folder changed this recently may change again within its clock's tick: listed again.
_RACY_NS = 2_000_000_000


class HeldMessages:
    """One folder per resident (their pseudonymous ref), one file per message, in order."""

    def __init__(self, folder: Path, secret: str) -> None:
        self.folder = folder
        self._fernet = fernet(secret)
        self._listed: set[str] = set()  # the residents' folders, as last listed
        self._listed_at = -1  # the held folder's time of change then

    def keep(self, ref: str, inbound: Inbound) -> None:
        # Everything the turn reads: the event whole (a WhatsApp button's payload, a voice
        # note's recording and length), and the kind of message and device the limits count.
        record = {
            "channel": inbound.channel,
            "message_id": inbound.message_id,
            "address": self._seal(inbound.address),
            "event": type(inbound.event).__name__,
            "fields": dataclasses.asdict(inbound.event),
            "reachable": inbound.reachable,
            "spoken": inbound.spoken,
            "keypad": inbound.keypad,
            "device": None if inbound.device is None else self._seal(inbound.device),
        }
        name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.json"
        _write(self.folder / ref / name, json.dumps(record).encode())
        metrics.HELD.inc()
        log.warning("message held until the stores answer ref=%s", ref)

    def may_hold(self, ref: str) -> bool:
        """False when nothing is held or owed for `ref`, known without a look in their folder:
        the held folder's listing is read again only when its time of change moved (another
        process may hold messages too), or while that time is too recent to trust."""
        try:
            changed = os.stat(self.folder).st_mtime_ns
        except FileNotFoundError:
            return False
        if changed != self._listed_at or time.time_ns() - changed < _RACY_NS:
            self._listed = {p.name for p in os.scandir(self.folder) if p.is_dir()}
            self._listed_at = changed
        return ref in self._listed

    def refs(self) -> list[str]:
        """Residents with messages held or replies owed."""
        if not self.folder.is_dir():
            return []
        return sorted(p.name for p in self.folder.iterdir() if p.is_dir() and p.name[0] != ".")

    def waiting(self) -> int:
        return sum(len(self._files(ref)) for ref in self.refs())

    def counts(self) -> tuple[int, int]:
        """Messages waiting, and messages set aside for an operator."""
        return self.waiting(), len(list((self.folder / SET_ASIDE).glob("*/*.json")))

    def messages(self, ref: str) -> list[tuple[Path, Inbound]]:
        found = []
        for path in self._files(ref):
            try:
                record = json.loads(path.read_bytes())
                event = EVENTS[record["event"]](**record["fields"])
                device = record.get("device")
                inbound = Inbound(
                    record["channel"],
                    record["message_id"],
                    self._open(record["address"]),
                    event,
                    reachable=record.get("reachable", True),
                    spoken=record.get("spoken", False),
                    device=None if device is None else self._open(device),
                    keypad=record.get("keypad", False),
                )
            except (ValueError, KeyError, TypeError, InvalidToken) as e:
                self.set_aside(path, "unreadable", _describe(e))  # it never will be: no wait
                continue
            found.append((path, inbound))
        return found

    def _seal(self, address: str) -> str:
        return self._fernet.encrypt(address.encode()).decode()

    def _open(self, token: str) -> str:
        return self._fernet.decrypt(token.encode()).decode()

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

    def set_aside(self, path: Path, reason: str, why: str) -> None:
        """Out of the resident's way, kept for an operator with the reason and what failed."""
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return  # another process took it, or set it aside, first
        try:
            record = json.loads(data)
        except ValueError:
            record = {"unreadable": data.decode(errors="replace")}
        record["set_aside"] = {
            "reason": reason,
            "error": why[:300],
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        ref = path.parent.name
        _write(self.folder / SET_ASIDE / ref / path.name, json.dumps(record).encode())
        self.done(path)
        metrics.HELD_SET_ASIDE.labels(reason).inc()
        log.error("held message set aside (%s) ref=%s", reason, ref)

    def listing(self) -> Iterator[tuple[str, str, str]]:
        """Every held message, oldest first: when it was held, its ref, and its state."""
        waiting = [(path, "waiting") for ref in self.refs() for path in self._files(ref)]
        set_aside = [(path, _state(path)) for path in (self.folder / SET_ASIDE).glob("*/*.json")]
        for path, state in sorted(waiting + set_aside, key=lambda found: found[0].name):
            held_at = datetime.fromtimestamp(held_since(path), UTC)
            yield held_at.isoformat(timespec="seconds"), path.parent.name, state

    def _files(self, ref: str) -> list[Path]:
        return sorted((self.folder / ref).glob("*.json"))

    def done(self, path: Path) -> None:
        path.unlink(missing_ok=True)
        _tidy(path.parent)


def held_since(path: Path) -> float:
    """When the message was held (its file is named after that moment, in nanoseconds)."""
    try:
        return int(path.name.split("-", 1)[0]) / 1e9
    except ValueError:  # a file put there by hand
        return path.stat().st_mtime


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def _state(path: Path) -> str:
    aside = json.loads(path.read_bytes()).get("set_aside", {})
    return f"set aside ({aside.get('reason', '?')}, {aside.get('at', '?')}): {aside.get('error')}"


def _write(path: Path, data: bytes) -> None:
    # Written whole then renamed: a crash leaves no half message behind.
    path.parent.mkdir(parents=True, exist_ok=True)
    unfinished = path.with_name(f".{path.name}.partial")
    unfinished.write_bytes(data)
    os.replace(unfinished, path)


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
        window_seconds: float = 86400,
    ) -> None:
        self.turn = turn
        self.held = held
        self.ref_of = ref_of
        self.always_heard = always_heard
        self.language = language
        self.deadline = deadline_seconds
        self.healthy = healthy
        self.window = window_seconds  # a held message older than this is set aside
        self._retaking: dict[str, asyncio.Lock] = {}

    async def __call__(self, inbound: Inbound) -> Outcome:
        ref = self.ref_of(inbound.address)
        try:
            async with asyncio.timeout(self.deadline):
                if not self.held.may_hold(ref):  # nearly every resident: nothing to look at
                    return await self.turn(inbound)
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
        """Take `ref`'s held messages, in order; False when one must wait (and the newer ones
        behind it). Each try is a turn with its deadline, as a webhook's would be."""
        if not (self.held.folder / ref).is_dir():
            return True  # nearly every resident: nothing held, no lock kept for them
        lock = self._retaking.setdefault(ref, asyncio.Lock())
        async with lock:
            for path, inbound in self.held.messages(ref):
                if time.time() - held_since(path) > self.window:
                    # No longer recognised if it was counted (its reply lost): never try it.
                    waited = f"held longer than {self.window / 3600:g} h"
                    self.held.set_aside(path, "expired", waited)
                    continue
                try:
                    async with asyncio.timeout(self.deadline):
                        outcome = await self.turn(inbound)
                except Exception as e:  # noqa: BLE001
                    if isinstance(e, ApiRefused):  # the API said no: it would say no forever
                        self.held.set_aside(path, "refused", _describe(e))
                        continue  # the newer ones go on
                    # A store down, a lock still held, a stall: a wait, whatever its length.
                    log.info("held message not taken yet ref=%s error=%s", ref, type(e).__name__)
                    return False
                self.held.owe(ref, outcome)
                self.held.done(path)
                metrics.HELD_TAKEN.inc()
                log.info("held message taken ref=%s", ref)
        return True

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


async def keep_retaking(tolerant: FaultTolerant, every: float, at_once: int = 8) -> None:
    """The app's background task: every `every` seconds, while the stores answer, held
    messages are taken again, each resident in a task of their own, at most `at_once` at a
    time, the least recently tried first: one whose message must wait delays no other."""
    running: dict[str, asyncio.Task[bool]] = {}
    tried: dict[str, float] = {}
    try:
        while True:
            await asyncio.sleep(every)
            refs = tolerant.held.refs()
            tried = {ref: tried[ref] for ref in refs if ref in tried}
            waiting = sorted((r for r in refs if r not in running), key=lambda r: tried.get(r, 0))
            free = at_once - len(running)
            if not waiting or free <= 0 or not await tolerant.healthy():
                continue  # nothing to take, or the stores are still down: not a failure
            for ref in waiting[:free]:
                tried[ref] = time.monotonic()
                running[ref] = asyncio.create_task(tolerant.retake(ref))
                running[ref].add_done_callback(partial(_retaken, running, ref))
    finally:
        for task in running.values():
            task.cancel()


def _retaken(running: dict[str, asyncio.Task[bool]], ref: str, task: asyncio.Task[bool]) -> None:
    del running[ref]
    if not task.cancelled() and task.exception() is not None:
        # A disk error, say: logged, and tried again at the next pass.
        log.error("taking held messages failed ref=%s", ref, exc_info=task.exception())


class HeldBefore(RuntimeError):
    """An older message of this resident is still held: this one waits behind it."""
