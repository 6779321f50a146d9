"""The consultation API as the signed-in person sees it: every call carries their token."""

from __future__ import annotations

from typing import Any

import httpx

from bot.api_client import ApiRefused
from bot.web.sign_in import ANALYST, MODERATOR


class SignedOut(Exception):
    """The API no longer knows the token (revoked, or the API was reconfigured)."""


class StaffApi:
    def __init__(
        self, base_url: str, slug: str, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=f"{base_url.rstrip('/')}/api/v1",
            timeout=httpx.Timeout(20.0, connect=3.0),
            transport=transport,
        )
        self.at = f"/consultations/{slug}"  # most paths are under the consultation

    async def role(self, token: str) -> str | None:
        """Sign-in check, as the API judges the token: MODERATOR when it may read the
        moderation queue (moderators, admins), ANALYST when it may read the exports only,
        None when it may do neither (unknown, revoked, the bot's)."""
        if (await self._send(token, "GET", f"{self.at}/moderation/queue")).status_code == 200:
            return MODERATOR
        if (await self._send(token, "GET", f"{self.at}/exports")).status_code == 200:
            return ANALYST
        return None

    async def is_admin(self, token: str) -> bool:
        """Only admins may list the API's tokens: the API's own judgement of the role."""
        return (await self._send(token, "GET", "/tokens")).status_code == 200

    async def get(self, token: str, path: str, **params: Any) -> Any:
        return self._json(await self._send(token, "GET", path, params=params))

    async def call(self, token: str, method: str, path: str, body: dict | None = None) -> Any:
        return self._json(await self._send(token, method, path, json=body))

    async def download(self, token: str, path: str, **params: Any) -> httpx.Response:
        response = await self._send(token, "GET", path, params=params)
        self._check(response)
        return response

    async def _send(self, token: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"}
        return await self._http.request(method, path, headers=headers, **kwargs)

    @staticmethod
    def _check(response: httpx.Response) -> None:
        if response.status_code == 401:
            raise SignedOut()
        if response.status_code in (403, 404, 409, 422):
            detail = response.json().get("detail", response.reason_phrase)
            # The API said no (another moderator holds the idea, a field is invalid...): its
            # words are shown to the person as they are.
            raise ApiRefused(
                detail if isinstance(detail, str) else str(detail), response.status_code
            )
        response.raise_for_status()

    @classmethod
    def _json(cls, response: httpx.Response) -> Any:
        cls._check(response)
        return response.json()

    async def aclose(self) -> None:
        await self._http.aclose()
