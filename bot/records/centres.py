"""Social centres and their deep links: create them, revoke a link, count the residents each
link brought, and credit a resident who joins through one.

A centre's own link (its code, e.g. `centre-bourtzwiller`) is public: it goes on posters. A
mediator link (`m_...`) is secret: whoever opens it runs the centre's shared tablet. Only
pseudonymous refs are kept here, never a Telegram id.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.records.models import Brought, Centre, CentreLink

CENTRE = "centre"
MEDIATOR = "mediator"
KIOSK = "kiosk"  # secret: opens the centre's kiosk page (bot/web/kiosk.py) on its tablet
# Telegram's deep-link payloads: up to 64 of A-Z a-z 0-9 _ -. Centre codes have no "_", so
# they never look like a mediator's code.
CODE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


class CentreError(ValueError):
    """A centre or link that cannot be created or found: the message says why."""


@dataclass(frozen=True, slots=True)
class LinkView:
    code: str
    kind: str
    created_at: datetime
    revoked_at: datetime | None
    brought: int  # residents who joined through it (for a mediator link: on their tablet)


@dataclass(frozen=True, slots=True)
class CentreView:
    code: str
    name: str
    links: tuple[LinkView, ...]

    @property
    def brought(self) -> int:
        return sum(link.brought for link in self.links)


def code_for(name: str) -> str:
    """ "Centre social Bourtzwiller" -> "centre-social-bourtzwiller"."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return "-".join(re.findall(r"[a-z0-9]+", plain))[:48]


class Centres:
    def __init__(self, tables: async_sessionmaker[AsyncSession], bot_username: str | None):
        self._tables = tables
        self._bot_username = bot_username

    def deep_link(self, code: str) -> str:
        """The link to hand out; without the bot's username, what to append to its t.me link."""
        if self._bot_username:
            return f"https://t.me/{self._bot_username}?start={code}"
        return f"?start={code} (set PARLONS_TELEGRAM_BOT_USERNAME for the full link)"

    async def add(self, name: str, code: str | None = None) -> CentreView:
        """A centre and its public link."""
        code = code or code_for(name)
        if not name.strip() or not 3 <= len(code) <= 48 or not CODE.fullmatch(code):
            raise CentreError(f"a centre code is 3 to 48 of a-z 0-9 and single '-': {code!r}")
        try:
            async with self._tables.begin() as db:
                db.add(Centre(code=code, name=name.strip()))
                await db.flush()
                db.add(CentreLink(code=code, centre=code, kind=CENTRE))
        except IntegrityError:
            raise CentreError(f"there is already a centre or link {code!r}") from None
        return await self.get(code)

    async def add_mediator_link(self, centre: str) -> str:
        return await self.add_secret_link(centre, MEDIATOR)

    async def add_secret_link(self, centre: str, kind: str) -> str:
        """A mediator's or a kiosk's link: whoever has it acts for the centre."""
        # 16 characters, 96 bits: not to be guessed.
        code = f"{kind[0]}_{secrets.token_urlsafe(12)}"
        async with self._tables.begin() as db:
            if await db.get(Centre, centre) is None:
                raise CentreError(f"no centre {centre!r}")
            db.add(CentreLink(code=code, centre=centre, kind=kind))
        return code

    async def revoke(self, code: str) -> None:
        async with self._tables.begin() as db:
            link = await db.get(CentreLink, code)
            if link is None:
                raise CentreError(f"no link {code!r}")
            link.revoked_at = link.revoked_at or datetime.now(UTC)

    async def active_link(self, code: str, kind: str) -> CentreLink | None:
        link = await self.link(code)
        return link if link and link.kind == kind and link.revoked_at is None else None

    async def link(self, code: str) -> CentreLink | None:
        """A link, revoked or not: whose it was, to tell its holder whom to ask."""
        if not code or len(code) > 64:
            return None
        async with self._tables() as db:
            return await db.get(CentreLink, code)

    async def name(self, centre: str) -> str:
        async with self._tables() as db:
            found = await db.get(Centre, centre)
        return found.name if found else centre

    async def credit(self, code: str, ref: str) -> str | None:
        """A resident opened a centre's link: the centre's code to record on their profile,
        or None when the link is unknown or revoked. The first centre keeps the credit."""
        link = await self.active_link(code, CENTRE)
        if link is None:
            return None
        return await self.record(ref, link)

    async def record(self, ref: str, link: CentreLink) -> str:
        async with self._tables.begin() as db:
            brought = await db.get(Brought, ref)
            if brought is None:
                db.add(Brought(ref=ref, link=link.code))
                return link.centre
            first = await db.get(CentreLink, brought.link)
            return first.centre if first else link.centre

    async def forget(self, ref: str) -> None:
        """ERASE: the resident asked to be forgotten, so their ref goes from here too, and the
        link that brought them counts one resident less. A count kept apart from the ref
        would outlive the erasure, and tell how many the centre brought who later left."""
        async with self._tables.begin() as db:
            await db.execute(delete(Brought).where(Brought.ref == ref))

    async def get(self, code: str) -> CentreView:
        views = [c for c in await self.listing() if c.code == code]
        if not views:
            raise CentreError(f"no centre {code!r}")
        return views[0]

    async def listing(self) -> list[CentreView]:
        """Every centre with its links and the residents each brought."""
        async with self._tables() as db:
            centres = (await db.scalars(select(Centre).order_by(Centre.name))).all()
            links = (await db.scalars(select(CentreLink).order_by(CentreLink.created_at))).all()
            counts = dict(
                (await db.execute(select(Brought.link, func.count()).group_by(Brought.link))).all()
            )
        return [
            CentreView(
                code=c.code,
                name=c.name,
                links=tuple(
                    LinkView(k.code, k.kind, k.created_at, k.revoked_at, counts.get(k.code, 0))
                    for k in links
                    if k.centre == c.code
                ),
            )
            for c in centres
        ]
