"""The one interface the runtime needs from a store: a turn, taken under a lock.

A turn reads what it needs in one go (the session, whether this message was answered before,
and the abuse limits' counters) and writes in one go at the end, so a networked store costs
two round trips a turn.
A store with an outbox (Redis) also writes the turn's outbox entries in that last step, so a
ballot is durable exactly when the session that thanked the resident for it is. Counters the
turn itself adds to (an idea sent) are counted in that step too.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol


class Counted(NamedTuple):
    """A counter that starts at its first hit and is forgotten `window` seconds later (the
    abuse limits, bot/turns/abuse.py)."""

    key: str
    window: int  # seconds
    add: int = 1  # 0 reads the counter


@dataclass(slots=True)
class TurnState:
    session: bytes | None  # the stored session, None for a newcomer
    replay: bytes | None  # the outcome already given to this message id, if it was seen
    counts: list[int] = field(default_factory=list)  # the turn's counters, after adding
    new_session: bytes | None = None  # b"": delete the session (`forget`)
    outcome: bytes | None = None
    outbox: list[bytes] = field(default_factory=list)  # entries written with the session
    counted: list[Counted] = field(default_factory=list)  # counted with the session

    def save(self, session: bytes, outcome: bytes) -> None:
        """Keep the session and remember the outcome under the message id, on leaving."""
        self.new_session = session
        self.outcome = outcome

    def forget(self, outcome: bytes) -> None:
        """Delete the session, and remember the outcome under the message id, on leaving."""
        self.save(b"", outcome)

    def enqueue(self, entry: bytes) -> None:
        """Append an API write to the outbox, in the same step as the session is saved."""
        self.outbox.append(entry)

    def count_on_save(self, counter: Counted) -> None:
        """Add to a counter in the same step as the session is saved (and only if it is)."""
        self.counted.append(counter)


class LockTimeout(RuntimeError):
    """Another turn of the same participant held the lock for too long: not a failure of
    this message (bot/held.py keeps it and tries again)."""


class LockLost(RuntimeError):
    """The turn outlived its lock; nothing was saved."""


class TurnStore(Protocol):
    # True when the store writes `TurnState.outbox` durably and a worker posts it to the API;
    # False when the runtime must make the API writes itself before replying.
    has_outbox: bool

    def turn(
        self, ref: str, message_key: str, counters: Sequence[Counted] = ()
    ) -> AbstractAsyncContextManager[TurnState]:
        """Hold `ref`'s lock for the block; on a normal exit store what `save` was given.

        The lock is let go on every way out of the block, and a turn that waited for it
        longer than the store's lock wait raises `LockTimeout`.

        `counters` are counted in the same step as the session is read (`TurnState.counts`),
        once the lock is held and only for a message not seen before: a re-delivery is the
        channel retrying, not the resident sending more, and a turn waiting for the lock
        counts once, when it gets it."""
        ...

    async def ping(self) -> None:
        """Raise when the store cannot be reached."""
        ...

    async def count(self, counters: Sequence[Counted]) -> list[int]:
        """Add to each counter and return their values, in one go, outside any turn."""
        ...
