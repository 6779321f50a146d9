"""What every channel hands to the runtime, and what it gets back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from dialogs import Event, Reply


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message from a resident, in no channel's format any more.

    `address` is what identifies the resident on the wire (`tel:+33...`, `telegram:123`); the
    runtime turns it into a pseudonymous ref at once and never stores or logs it.
    """

    channel: str
    message_id: str
    address: str
    event: Event
    reachable: bool = True  # we could write to them later (not a resident at a shared tablet)
    spoken: bool = False  # heard and answered aloud (a phone call): the channel says so


@dataclass(frozen=True, slots=True)
class Outcome:
    """The replies to send back, in the resident's language. `stale` when a button of an
    answered question was pressed: nothing was taken (Telegram does not mark it chosen)."""

    replies: tuple[Reply, ...]
    language: str
    stale: bool = False


Handler = Callable[[Inbound], Awaitable[Outcome]]
