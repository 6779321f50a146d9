"""Abuse limits: whom Parlons answers, and how much.

- Only numbers of the country codes the consultation serves are answered: a reply to a
  premium number abroad costs real money (SMS pumping), and no resident lives there.
- Each participant, and each address they write from, may send so many messages a minute and
  a day. The first message over a limit gets a polite answer; the next ones are logged and
  counted (`parlons_refused_total`) but not answered, since every answer costs. STOP and a
  disclosed danger always pass.
- Each participant may send so many ideas a day; beyond, the dialog says so kindly.
- Each mediator or kiosk link may bring so many new participants a minute.

The counters live in the turn store (memory, or Redis for every worker at once).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.stores import Counted, TurnStore
from dialogs import Say
from dialogs.i18n import translator

MINUTE, DAY = 60, 86400


@dataclass(frozen=True, slots=True)
class Limits:
    messages_per_minute: int = 20
    messages_per_day: int = 500
    ideas_per_day: int = 10
    country_codes: tuple[str, ...] = ("+33",)  # E.164 prefixes of the numbers answered
    participants_per_minute: int = 10  # new people from one mediator or kiosk link


@dataclass(frozen=True, slots=True)
class Standing:
    over: int  # how many messages past the tightest limit this one is (0: within)
    ideas_closed: bool  # the participant sent today's last idea


class Abuse:
    def __init__(self, store: TurnStore, limits: Limits) -> None:
        self.store = store
        self.limits = limits
        # Each message window, in seconds, with its limit.
        self._windows = (MINUTE, limits.messages_per_minute), (DAY, limits.messages_per_day)

    def serves(self, address: str) -> bool:
        """Whether we answer this address: a phone number of a served country, or any other
        kind of address (a Telegram user)."""
        if not address.startswith("tel:"):
            return True
        return address.removeprefix("tel:").startswith(self.limits.country_codes)

    def counters(self, ref: str, sender: str) -> list[Counted]:
        """What one message from participant `ref` writing from `sender` (the pseudonymous
        ref of their address) counts, and their ideas of the day, read: the turn store
        counts them as it opens the turn (`TurnStore.turn`), at no extra round trip."""
        keys = dict.fromkeys((ref, sender))  # the same on SMS; apart on a shared tablet
        hits = [Counted(f"messages:{w}:{key}", w) for key in keys for w, _limit in self._windows]
        return [*hits, self.idea_sent(ref)._replace(add=0)]

    def standing(self, counts: Sequence[int]) -> Standing:
        """Where the message stands, from the values of its `counters`."""
        *messages, ideas = counts
        limits = [limit for _w, limit in self._windows] * (len(messages) // len(self._windows))
        over = max(n - limit for n, limit in zip(messages, limits, strict=True))
        return Standing(max(over, 0), ideas >= self.limits.ideas_per_day)

    async def newcomer_allowed(self, link: str) -> bool:
        """One more participant from this mediator or kiosk link: a tablet serves one person
        at a time, so a script making people by the hundred to stuff ballots is stopped."""
        [n] = await self.store.count([Counted(f"people:{link}", MINUTE)])
        return n <= self.limits.participants_per_minute

    def idea_sent(self, ref: str) -> Counted:
        """What an idea sent counts: added as the turn is saved (`TurnState.count_on_save`),
        so it costs no round trip of its own and a turn that fails counts nothing."""
        return Counted(f"ideas:{ref}", DAY)


def slow_down(language: str, spoken: bool = False) -> Say:
    """The answer to the first message over a limit; in a call (`spoken`), a call's words: the
    call ends after it."""
    t = translator(language)
    if spoken:
        return Say(
            t.pgettext(
                "spoken",
                "You have given many answers in a short time. Please wait a while, then call us "
                "again.",
            )
        )
    return Say(
        t.gettext(
            "You are sending many messages. Please wait a while, then send your answer again."
        )
    )
