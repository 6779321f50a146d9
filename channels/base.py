"""What every channel hands to the runtime, and what it gets back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from dialogs import Event, Press, Reply, Say

# The kinds of message, each with limits of its own (bot/abuse.py): free text, typed or said,
# and a button or a key of the phone's keypad, which a person presses far faster than they
# write.
TEXT, BUTTON = "text", "button"


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message from a resident, in no channel's format any more.

    `address` is what identifies the resident on the wire (`tel:+33...`, `telegram:123`); the
    runtime turns it into a pseudonymous ref at once and never stores or logs it. `device` is
    the shared device the resident is using, when it serves many in turn (a centre's kiosk
    link, a mediator's Telegram account), treated the same way.
    """

    channel: str
    message_id: str
    address: str
    event: Event
    reachable: bool = True  # we could write to them later (not a resident at a shared tablet)
    spoken: bool = False  # heard and answered aloud (a phone call): the channel says so
    device: str | None = None
    keypad: bool = False  # keys pressed on the phone (a Press is a button already)

    @property
    def kind(self) -> str:
        return BUTTON if self.keypad or isinstance(self.event, Press) else TEXT


@dataclass(frozen=True, slots=True)
class Outcome:
    """The replies to send back, in the resident's language. `stale` when a button of an
    answered question was pressed: nothing was taken (Telegram does not mark it chosen).

    `limited` when the message was over a message limit and not read: the words that say when
    the resident can go on. `replies` carry them once (an SMS costs); a channel that can say
    them again for free says them every time (a Telegram button's notice, the kiosk's page, a
    call), so nothing a resident sends goes unanswered."""

    replies: tuple[Reply, ...]
    language: str
    stale: bool = False
    limited: Say | None = None

    @property
    def said(self) -> tuple[Reply, ...]:
        """The replies, or the limit's words again: for the channels where they cost nothing."""
        if self.replies or self.limited is None:
            return self.replies
        return (self.limited,)


Handler = Callable[[Inbound], Awaitable[Outcome]]
