"""The one interface the runtime needs from a store: a turn, taken under a lock.

A turn reads what it needs in one go (the session and whether this message was answered
before) and writes in one go at the end, so a networked store costs two round trips a turn.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol


@dataclass(slots=True)
class TurnState:
    session: bytes | None  # the stored session, None for a newcomer
    replay: bytes | None  # the outcome already given to this message id, if it was seen
    new_session: bytes | None = None
    outcome: bytes | None = None

    def save(self, session: bytes, outcome: bytes) -> None:
        """Keep the session and remember the outcome under the message id, on leaving."""
        self.new_session = session
        self.outcome = outcome


class TurnStore(Protocol):
    def turn(self, ref: str, message_key: str) -> AbstractAsyncContextManager[TurnState]:
        """Hold `ref`'s lock for the block; on a normal exit store what `save` was given."""
        ...

    async def ping(self) -> None:
        """Raise when the store cannot be reached."""
        ...
