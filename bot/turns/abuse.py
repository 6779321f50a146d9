"""Abuse limits: whom Parlons answers, and how much.

- Only numbers of the country codes the consultation serves are answered: a reply to a
  premium number abroad costs real money (SMS pumping), and no resident lives there.
- Each participant may send so many messages a minute and a day, per channel and per kind
  (free text; a button or a key of the phone's keypad): limits a person answering as fast as
  they can never reaches, and a script soon does (README, "Message limits", has the
  arithmetic). A shared device that serves residents in turn (a centre's kiosk link, a
  mediator's tablet) has a limit of its own besides, for all of them together.
- The first message over a limit gets a polite answer that says when the resident can go on;
  the next ones are logged and counted (`parlons_refused_total`) and answered again only where
  it costs nothing (the runtime and the channels decide: `Outcome.limited`). STOP and a
  disclosed danger always pass.
- Each participant may send so many ideas a day; beyond, the dialog says so kindly.
- Each mediator or kiosk link may bring so many new participants a minute.

The counters live in the turn store (memory, or Redis for every worker at once). Their
windows follow the runtime's clock: a minute or a day of it, aligned on the clock (a day
ends at midnight UTC), each counter's key naming its window.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from bot.stores import Counted, TurnStore
from channels.base import BUTTON
from dialogs import Say
from dialogs.i18n import translator

MINUTE, HOUR, DAY = 60, 3600, 86400
ANY_COUNTRY = frozenset({"whatsapp"})  # channels where a number of any country is answered


@dataclass(frozen=True, slots=True)
class Limits:
    # A resident's messages, keyed by channel for free text ("sms") and by channel and
    # ":button" for a button or a keypad answer ("telegram:button", else the channel's own).
    # A channel not listed gets the strictest limit listed.
    per_minute: Mapping[str, int]
    per_day: Mapping[str, int]
    device_per_minute: int  # all residents of one shared device together
    device_per_day: int
    ideas_per_day: int
    country_codes: tuple[str, ...]  # E.164 prefixes of the numbers answered
    participants_per_minute: int  # new people from one mediator or kiosk link

    def resident(self, channel: str, kind: str) -> tuple[int, int]:
        """A resident's limits a minute and a day for this channel and kind of message."""
        return _lookup(self.per_minute, channel, kind), _lookup(self.per_day, channel, kind)


def _lookup(limits: Mapping[str, int], channel: str, kind: str) -> int:
    if kind == BUTTON and f"{channel}:{BUTTON}" in limits:
        return limits[f"{channel}:{BUTTON}"]
    return limits.get(channel, min(limits.values()))


@dataclass(frozen=True, slots=True)
class Tally:
    """What one message counts: a counter per window, with its limit and when it ends (Unix
    seconds), then the participant's ideas of the day (read, not added to)."""

    counters: list[Counted]
    limits: list[int]
    ends: list[int]
    now: float


@dataclass(frozen=True, slots=True)
class Standing:
    until: int  # over a limit: when the resident may go on (Unix seconds); 0 within them all
    wait: float  # seconds until then
    ideas_closed: bool  # the participant sent today's last idea


class Abuse:
    def __init__(
        self, store: TurnStore, limits: Limits, clock: Callable[[], float] = time.time
    ) -> None:
        self.store = store
        self.limits = limits
        self.clock = clock  # Unix seconds: the runtime's own clock

    def serves(self, address: str, channel: str | None = None) -> bool:
        """Whether we answer this address: a phone number of a served country, or any other
        kind of address (a Telegram user). On WhatsApp any country's number is answered: the
        resident wrote first, our replies are not billed per country as an SMS is, and a
        newcomer often keeps the number of the country they left (the per-address limits
        still apply)."""
        if not address.startswith("tel:") or channel in ANY_COUNTRY:
            return True
        return address.removeprefix("tel:").startswith(self.limits.country_codes)

    def tally(self, ref: str, channel: str, kind: str, device: str | None = None) -> Tally:
        """What one message from participant `ref` counts: their messages of this channel and
        kind, and those of the shared `device` they use (the pseudonymous ref of its address;
        None on their own phone or account), each a minute and a day, and their ideas of the
        day, read. The turn store counts them as it opens the turn (`TurnStore.turn`), at no
        extra round trip."""
        now = self.clock()
        per_minute, per_day = self.limits.resident(channel, kind)
        windows = [(f"messages:{channel}:{kind}:{ref}", MINUTE, per_minute)]
        windows.append((f"messages:{channel}:{kind}:{ref}", DAY, per_day))
        if device is not None:
            windows.append((f"device:{device}", MINUTE, self.limits.device_per_minute))
            windows.append((f"device:{device}", DAY, self.limits.device_per_day))
        counters = [_window(name, seconds, now) for name, seconds, _limit in windows]
        ideas = _window(f"ideas:{ref}", DAY, now)._replace(add=0)
        return Tally(
            [*counters, ideas],
            [limit for _name, _seconds, limit in windows],
            [_end(seconds, now) for _name, seconds, _limit in windows],
            now,
        )

    def standing(self, tally: Tally, counts: Sequence[int]) -> Standing:
        """Where the message stands, from the values of its tally's counters: over a limit,
        the resident may go on when every window they are over has ended."""
        *messages, ideas = counts
        over = zip(messages, tally.limits, tally.ends, strict=True)
        until = max((end for n, limit, end in over if n > limit), default=0)
        wait = max(until - tally.now, 0.0) if until else 0.0
        return Standing(until, wait, ideas >= self.limits.ideas_per_day)

    async def newcomer_allowed(self, link: str) -> bool:
        """One more participant from this mediator or kiosk link: a tablet serves one person
        at a time, so a script making people by the hundred to stuff ballots is stopped."""
        [n] = await self.store.count([_window(f"people:{link}", MINUTE, self.clock())])
        return n <= self.limits.participants_per_minute

    def idea_sent(self, ref: str) -> Counted:
        """What an idea sent counts: added as the turn is saved (`TurnState.count_on_save`),
        so it costs no round trip of its own and a turn that fails counts nothing."""
        return _window(f"ideas:{ref}", DAY, self.clock())


def _window(name: str, seconds: int, now: float) -> Counted:
    """The counter of the window `now` is in. The store forgets it `seconds` after its first
    hit, by when the window has ended."""
    return Counted(f"{name}:{seconds}:{int(now // seconds)}", seconds)


def _end(seconds: int, now: float) -> int:
    return (int(now // seconds) + 1) * seconds


def slow_down(language: str, wait: float, spoken: bool = False) -> Say:
    """The answer to a message over a limit: when the resident can go on, in minutes (in
    hours beyond two). In a call (`spoken`), a call's words: the call ends after it."""
    t = translator(language)
    minutes = max(1, math.ceil(wait / MINUTE))
    hours = math.ceil(wait / HOUR)
    if spoken and minutes <= 120:
        text = t.npgettext(
            "spoken",
            "You have given many answers in a short time. Please call us again in %(count)d "
            "minute.",
            "You have given many answers in a short time. Please call us again in %(count)d "
            "minutes.",
            minutes,
        ) % {"count": minutes}
    elif spoken:
        text = t.npgettext(
            "spoken",
            "You have given many answers in a short time. Please call us again in %(count)d hour.",
            "You have given many answers in a short time. Please call us again in %(count)d hours.",
            hours,
        ) % {"count": hours}
    elif minutes <= 120:
        text = t.ngettext(
            "You have sent many messages in a short time. You can answer again in %(count)d "
            "minute.",
            "You have sent many messages in a short time. You can answer again in %(count)d "
            "minutes.",
            minutes,
        ) % {"count": minutes}
    else:
        text = t.ngettext(
            "You have sent many messages in a short time. You can answer again in %(count)d hour.",
            "You have sent many messages in a short time. You can answer again in %(count)d hours.",
            hours,
        ) % {"count": hours}
    return Say(text)
