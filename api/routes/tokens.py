"""Tokens over HTTP: admins create a token for each moderator, analyst or bot, and revoke it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, status

from api.auth import Caller, Role, require
from api.routes.deps import IdPath, TokensDep
from api.schemas import CallerOut, TokenCreated, TokenIn, TokenOut

router = APIRouter(prefix="/api/v1", tags=["admin"])
Admin = Annotated[Caller, require(Role.ADMIN)]
Anyone = Annotated[Caller, require(*Role)]


@router.post("/tokens", status_code=status.HTTP_201_CREATED)
async def create_token(tokens: TokensDep, body: TokenIn, caller: Admin) -> TokenCreated:
    """A new token for a named person or program; its value is shown in this answer only."""
    return await tokens.create(body.name, body.role, caller.name)


@router.get("/tokens")
async def list_tokens(tokens: TokensDep, _caller: Admin) -> list[TokenOut]:
    return await tokens.list()


@router.get("/tokens/me")
async def who_am_i(caller: Anyone) -> CallerOut:
    """The calling token's name and role: 401 once it is revoked or unknown. The staff page
    asks on every request, so a revoked token is signed out of every page at once."""
    return CallerOut(name=caller.name, role=caller.role)


@router.delete("/tokens/{token_id}")
async def revoke_token(tokens: TokensDep, token_id: IdPath, _caller: Admin) -> TokenOut:
    """The token stops working at once; it stays listed, with the time it was revoked."""
    revoked = await tokens.revoke(token_id)
    if revoked is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no token {token_id}")
    return revoked
