"""Bearer tokens: the configured ones (PARLONS_ADMIN_TOKEN, the bot's) and those an admin
created, stored in the database as digests and revocable."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.errors import Conflict
from api.models import ApiToken, Role
from api.schemas import TokenCreated, TokenOut

# The names audit entries give the configured tokens; no created token may take them.
CONFIGURED_NAMES = {Role.ADMIN: "admin", Role.BOT: "bot"}


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: the token's name goes into the audit trail."""

    name: str
    role: Role


def digest(token: str) -> str:
    # SHA-256 without a salt is enough here: tokens are 256 random bits, not passwords, so
    # there is no dictionary to try; and a lookup by digest stays one indexed query.
    return hashlib.sha256(token.encode()).hexdigest()


def _out(row: ApiToken) -> TokenOut:
    return TokenOut(
        id=row.id,
        name=row.name,
        role=row.role,
        created_by=row.created_by,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )


class Tokens:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], configured: dict[Role, str | None]
    ) -> None:
        self.sessions = sessions
        self._configured = {
            digest(token): Caller(CONFIGURED_NAMES[role], role)
            for role, token in configured.items()
            if token
        }

    async def caller(self, token: str) -> Caller | None:
        key = digest(token)
        if (known := self._configured.get(key)) is not None:
            return known  # the bot's hot path never touches the database
        async with self.sessions() as db:
            row = await db.scalar(
                select(ApiToken).where(ApiToken.digest == key, ApiToken.revoked_at.is_(None))
            )
        return None if row is None else Caller(row.name, row.role)

    async def create(self, name: str, role: Role, created_by: str) -> TokenCreated:
        """A new token; its value is returned here once and never stored."""
        if name in CONFIGURED_NAMES.values():
            raise Conflict(f"the name {name!r} is reserved")
        token = secrets.token_urlsafe(32)
        try:
            async with self.sessions.begin() as db:
                row = ApiToken(name=name, role=role, digest=digest(token), created_by=created_by)
                db.add(row)
                await db.flush()
                await db.refresh(row)
                return TokenCreated(**_out(row).model_dump(), token=token)
        except IntegrityError:
            raise Conflict(f"a token named {name!r} exists") from None

    async def list(self) -> list[TokenOut]:
        async with self.sessions() as db:
            return [_out(r) for r in await db.scalars(select(ApiToken).order_by(ApiToken.id))]

    async def revoke(self, token_id: int) -> TokenOut | None:
        async with self.sessions.begin() as db:
            row = await db.get(ApiToken, token_id)
            if row is None:
                return None
            if row.revoked_at is None:
                row.revoked_at = datetime.now(UTC)
            return _out(row)
