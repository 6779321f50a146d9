"""A mediator's shared tablet: one Telegram account walks several residents through, each a
separate, anonymous participant tagged with the centre.

Whoever opens a mediator link becomes the centre's mediator. From then on "New person" gives a
fresh random address (`desk:<token>`, never the mediator's own id), credited to the centre,
and what the mediator's chat sends goes to the resident at the tablet now. "Switch person"
goes back to a resident still in progress.
"""

from __future__ import annotations

import secrets
from dataclasses import replace

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot, KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove

from api.schemas import ProfileIn
from bot.records.centres import MEDIATOR, Centres
from bot.records.models import Mediator, TabletResident
from bot.turns.identity import Pseudonyms
from bot.turns.runtime import Runtime
from channels.base import Outcome
from channels.telegram import START, Arrival
from channels.telegram_replies import messages, plain, send_messages, settle
from dialogs import Ask, Option, Press, Prompt, Text
from dialogs.i18n import translator

MEDIATOR_PREFIX = "m_"
NEW, SWITCH = "➕", "👥"  # the tablet's own buttons start with these, in every language
GO_KEY = "desk-go-"  # a "switch person" button (a value in chats already: kept as it was)


class Tablet:
    def __init__(
        self,
        bot: Bot,
        runtime: Runtime,
        centres: Centres,
        tables: async_sessionmaker[AsyncSession],
    ) -> None:
        self.bot = bot
        self.runtime = runtime
        self.centres = centres
        self._tables = tables

    async def route(self, arrival: Arrival) -> Arrival | None:
        """The arrival to take through the dialog (re-addressed to the resident at the
        tablet when it comes from a mediator), or None when the tablet answered it itself."""
        if arrival.start and arrival.start.startswith(MEDIATOR_PREFIX):
            await self._join(arrival)
            return None
        mediator_ref = self.runtime.pseudonyms.ref(arrival.inbound.address)
        async with self._tables() as db:
            mediator = await db.get(Mediator, mediator_ref)
        if mediator is None:
            return arrival  # a resident on their own phone
        if arrival.blocked:
            return None  # the mediator blocked the bot: not a STOP from the resident at it
        t = translator(mediator.language)
        if await self.centres.active_link(mediator.link, MEDIATOR) is None:
            await self._retire(arrival, mediator)
            return None
        event = arrival.inbound.event
        text = event.text.strip() if isinstance(event, Text) else ""
        key = event.key if isinstance(event, Press) and event.about is None else ""
        if text.startswith(NEW) or text == "/new":
            return await self._new_person(arrival, mediator)
        if text.startswith(SWITCH) or text == "/switch":
            await self._who(arrival, mediator)
            return None
        if key.startswith(GO_KEY) and key.removeprefix(GO_KEY).isdigit():
            return await self._switch(arrival, mediator, int(key.removeprefix(GO_KEY)))
        resident = await self._current(mediator)
        if resident is None:
            start = t.gettext('Press "New person" to start with a resident.')
            await self._say(arrival, start, keyboard=self._keyboard(mediator.language))
            return None
        return _readdressed(arrival, resident)

    # --- joining -------------------------------------------------------------------------

    async def _join(self, arrival: Arrival) -> None:
        hint = arrival.inbound.event.hint if isinstance(arrival.inbound.event, Text) else None
        languages = self.runtime.consultation.languages
        language = hint if hint in languages else self.runtime.consultation.default_language
        t = translator(language)
        link = await self.centres.active_link(arrival.start or "", MEDIATOR)
        if link is None:
            await self._not_valid(arrival, language, arrival.start or "")
            return
        ref = self.runtime.pseudonyms.ref(arrival.inbound.address)
        async with self._tables.begin() as db:
            mediator = await db.get(Mediator, ref)
            if mediator is None:
                db.add(Mediator(ref=ref, link=link.code, language=language))
            else:
                mediator.link, mediator.language = link.code, language
        welcome = t.gettext(
            'You are now a mediator for %(centre)s. Press "New person" and hand the tablet to a '
            "resident: each one takes part as a separate, anonymous person."
        ) % {"centre": await self.centres.name(link.centre)}
        await self._say(arrival, welcome, keyboard=self._keyboard(language))

    async def _retire(self, arrival: Arrival, mediator: Mediator) -> None:
        """Staff revoked the link (a tablet lost, a volunteer gone): the account becomes a
        plain participant again, and the residents it walked through are out of its reach.
        Their ballots stay: each was stored before they were thanked for it."""
        async with self._tables.begin() as db:
            await db.execute(delete(TabletResident).where(TabletResident.mediator == mediator.ref))
            await db.execute(delete(Mediator).where(Mediator.ref == mediator.ref))
        await self._not_valid(arrival, mediator.language, mediator.link)

    async def _not_valid(self, arrival: Arrival, language: str, code: str) -> None:
        """The link no longer works: whom to ask for a new one, when we know whose it was."""
        t = translator(language)
        line = t.gettext("This mediator link is not valid any more.")
        link = await self.centres.link(code)
        if link is not None and link.kind == MEDIATOR:
            centre = await self.centres.name(link.centre)
            ask = t.gettext(
                "Ask %(centre)s for a new one. You can still take part yourself: send a message "
                "to start."
            )
            line = f"{line} {ask % {'centre': centre}}"
        await self._say(arrival, line, keyboard=ReplyKeyboardRemove())

    # --- residents at the tablet -----------------------------------------------------------

    async def _new_person(self, arrival: Arrival, mediator: Mediator) -> Arrival | None:
        if not await self.runtime.abuse.newcomer_allowed(mediator.link):
            t = translator(mediator.language)
            busy = t.gettext('Many new people in one minute: wait a moment, then "New person".')
            await self._say(arrival, busy, keyboard=self._keyboard(mediator.language))
            return None
        token = secrets.token_urlsafe(16)
        async with self._tables.begin() as db:
            # After the last one, not after the count: one who sent ERASE leaves a gap.
            number = 1 + (
                await db.scalar(
                    select(func.max(TabletResident.number)).where(
                        TabletResident.mediator == mediator.ref
                    )
                )
                or 0
            )
            resident = TabletResident(mediator=mediator.ref, number=number, token=token)
            db.add(resident)
            await db.flush()
            row = await db.get(Mediator, mediator.ref)
            row.current = resident.id
        link = await self.centres.active_link(mediator.link, MEDIATOR)
        ref = self.runtime.pseudonyms.ref(_address(resident))
        if link is not None:
            centre = await self.centres.record(ref, link)
            profile = ProfileIn(channel=arrival.inbound.channel, centre=centre)
            await self.runtime.api.set_profile(ref, profile)
        t = translator(mediator.language)
        handover = t.gettext("Person %(number)d: please hand over the tablet.") % {"number": number}
        await self._say(arrival, handover, keyboard=self._keyboard(mediator.language))
        # The newcomer chooses their language first: the tablet's owner may speak another.
        return _readdressed(arrival, resident, Text("/language"))

    async def _who(self, arrival: Arrival, mediator: Mediator) -> None:
        t = translator(mediator.language)
        async with self._tables() as db:
            residents = (
                await db.scalars(
                    select(TabletResident)
                    .where(TabletResident.mediator == mediator.ref)
                    .order_by(TabletResident.number)
                )
            ).all()
        options = tuple(
            [
                Option(f"{GO_KEY}{r.number}", t.gettext("Person %(number)d") % {"number": r.number})
                for r in residents
                if not await self.runtime.optouts.is_opted_out(self._ref(r))
            ]
        )
        if not options:
            await self._say(arrival, t.gettext("No one is in progress on this tablet."))
            return
        which = Ask(t.gettext("Which person?"), options)
        await send_messages(self.bot, arrival.chat_id, messages([which]))

    async def _switch(self, arrival: Arrival, mediator: Mediator, number: int) -> Arrival | None:
        if arrival.pressed is not None:
            await settle(self.bot, arrival.chat_id, arrival.pressed, chosen=True)
        async with self._tables.begin() as db:
            resident = await db.scalar(
                select(TabletResident)
                .where(TabletResident.mediator == mediator.ref)
                .where(TabletResident.number == number)
            )
            if resident is None:
                return None
            row = await db.get(Mediator, mediator.ref)
            row.current = resident.id
        t = translator(mediator.language)
        if await self.runtime.optouts.is_opted_out(self._ref(resident)):
            # START would take them back in: only they may say it.
            stopped = t.gettext("Person %(number)d said STOP.") % {"number": number}
            await self._say(arrival, stopped)
            return None
        # "Welcome back! You have answered 3 proposals." and their question again.
        return _readdressed(arrival, resident, Text(START))

    async def after(self, arrival: Arrival, outcome: Outcome) -> None:
        """When the resident at the tablet has nothing left to answer (every proposal seen,
        STOP...), the mediator is asked for the next person."""
        if arrival.inbound.reachable or outcome.limited is not None:
            return  # their own phone, or a message not read: the same question stands
        if any(isinstance(r, Ask | Prompt) for r in outcome.replies):
            return
        # A private chat's id is its user's: the mediator's own address.
        mediator_ref = self.runtime.pseudonyms.ref(f"telegram:{arrival.chat_id}")
        async with self._tables() as db:
            mediator = await db.get(Mediator, mediator_ref)
        if mediator is not None:
            t = translator(mediator.language)
            done = t.gettext('That is all for this person. Next person? Press "New person".')
            next_one = plain(done, self._keyboard(mediator.language))
            await send_messages(self.bot, arrival.chat_id, [next_one])

    async def _current(self, mediator: Mediator) -> TabletResident | None:
        if mediator.current is None:
            return None
        async with self._tables() as db:
            return await db.get(TabletResident, mediator.current)

    def _ref(self, resident: TabletResident) -> str:
        return self.runtime.pseudonyms.ref(_address(resident))

    # --- what the mediator is shown ----------------------------------------------------------

    def _keyboard(self, language: str) -> ReplyKeyboardMarkup:
        t = translator(language)
        new, switch = t.gettext("New person"), t.gettext("Switch person")
        buttons = [KeyboardButton(f"{NEW} {new}"), KeyboardButton(f"{SWITCH} {switch}")]
        return ReplyKeyboardMarkup([buttons], resize_keyboard=True, is_persistent=True)

    async def _say(
        self,
        arrival: Arrival,
        text: str,
        keyboard: ReplyKeyboardMarkup | ReplyKeyboardRemove | None = None,
    ) -> None:
        if arrival.pressed is not None:
            await settle(self.bot, arrival.chat_id, arrival.pressed, chosen=False)
        await send_messages(self.bot, arrival.chat_id, [plain(text, keyboard)])


class TabletResidents:
    """The residents walked through on the tablets, as ERASE sees them: the runtime forgets
    them (wired in bot/wiring/) without the tablet's Telegram bot."""

    def __init__(self, tables: async_sessionmaker[AsyncSession], pseudonyms: Pseudonyms):
        self._tables = tables
        self._pseudonyms = pseudonyms

    async def forget(self, ref: str) -> None:
        """ERASE from a resident at a tablet: their row goes, so "Switch person" no longer
        offers them (choosing them would start a stranger, credited to no centre). Each tablet sends
        its messages to the resident at it now, so ERASE comes from one of
        those: they are the only rows looked at, not every resident a tablet ever had."""
        async with self._tables.begin() as db:
            at_tablets = await db.execute(
                select(Mediator, TabletResident).join(
                    TabletResident, TabletResident.id == Mediator.current
                )
            )
            for mediator, resident in at_tablets.all():
                if self._pseudonyms.ref(_address(resident)) == ref:
                    mediator.current = None
                    await db.delete(resident)


def _address(resident: TabletResident) -> str:
    return f"desk:{resident.token}"  # refs are made from it: the prefix stays as it was


def _readdressed(arrival: Arrival, resident: TabletResident, event: Text | None = None) -> Arrival:
    """The arrival as the resident's own, through the tablet (the mediator's account: the
    device, with a limit of its own for all its residents); with `event`, as said in their
    name by the tablet (whose button, if one was pressed, the tablet has answered already)."""
    through = {"address": _address(resident), "reachable": False, "device": arrival.inbound.address}
    if event is None:
        return replace(arrival, inbound=replace(arrival.inbound, **through))
    inbound = replace(arrival.inbound, event=event, **through)
    return replace(arrival, inbound=inbound, start=None, pressed=None)
