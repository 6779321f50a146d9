"""Who may call what: bearer tokens and roles. Admins pass every check."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.models import Role
from api.tokens import Caller

__all__ = ["Caller", "Role", "check_role", "require"]

_bearer = HTTPBearer(auto_error=False)


async def check_role(request: Request, *roles: Role) -> Caller:
    """The caller, if its role is one of `roles` (admins always pass); else 401 or 403."""
    credentials = await _bearer(request)
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "a bearer token is required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    caller = await request.app.state.parlons_api.tokens.caller(credentials.credentials)
    if caller is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "unknown or revoked token")
    if caller.role not in {*roles, Role.ADMIN}:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"a {caller.role} token may not do this")
    return caller


def require(*roles: Role):  # noqa: ANN201 (a FastAPI dependency)
    """A dependency that lets through only the given roles (admins always)."""

    async def check(
        request: Request,
        _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Caller:
        return await check_role(request, *roles)

    return Depends(check)
