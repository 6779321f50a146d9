"""Bearer tokens and what each role may do."""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer


class Role(StrEnum):
    BOT = "bot"  # posts ballots (and, later, ideas) for residents
    ADMIN = "admin"  # everything


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Tokens:
    """Known tokens, kept as digests so a memory dump does not hand them out."""

    def __init__(self, tokens: dict[str, Role]) -> None:
        self._roles = {_digest(token): role for token, role in tokens.items() if token}

    def role(self, token: str) -> Role | None:
        return self._roles.get(_digest(token))


_bearer = HTTPBearer(auto_error=False)


async def check_role(request: Request, *roles: Role) -> Role:
    """The caller's role, if it is one of `roles` (admins always pass); else 401 or 403."""
    credentials = await _bearer(request)
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "a bearer token is required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    role = request.app.state.parlons_api.tokens.role(credentials.credentials)
    if role is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "unknown token")
    if role not in {*roles, Role.ADMIN}:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"the {role} token may not do this")
    return role


def require(*roles: Role):  # noqa: ANN201 (a FastAPI dependency)
    """A dependency that lets through only the given roles (admins always)."""

    async def check(
        request: Request,
        _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Role:
        return await check_role(request, *roles)

    return Depends(check)
