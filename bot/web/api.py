"""The consultation API as the signed-in person sees it: every call carries their token."""

from __future__ import annotations

from typing import Any

import httpx


class SignedOut(Exception):
    """The API no longer knows the token (revoked, or the API was reconfigured)."""


class StaffApi:
    def __init__(
        self, base_url: str, slug: str, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=f"{base_url.rstrip('/')}/api/v1/consultations/{slug}",
            timeout=httpx.Timeout(20.0, connect=3.0),
            transport=transport,
        )

    async def may_moderate(self, token: str) -> bool:
        """Sign-in check: may this token read the queue of pending ideas?"""
        response = await self._send(token, "GET", "/proposals", params={"status": "pending"})
        return response.status_code == 200

    async def get(self, token: str, path: str, **params: Any) -> Any:
        return self._json(await self._send(token, "GET", path, params=params))

    async def post(self, token: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return self._json(await self._send(token, "POST", path, json=body))

    async def _send(self, token: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"}
        return await self._http.request(method, path, headers=headers, **kwargs)

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        if response.status_code in (401, 403):
            raise SignedOut()
        response.raise_for_status()
        return response.json()

    async def aclose(self) -> None:
        await self._http.aclose()
