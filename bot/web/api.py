"""The consultation API as the signed-in person sees it: every call carries their token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from bot.api_client import ApiRefused
from bot.web.sign_in import ANALYST, MODERATOR

# The API's roles as the page shows them: a moderator or an admin sees every page, an analyst
# the results and their downloads; the bot's token signs in nowhere.
PAGE_ROLES = {"moderator": MODERATOR, "admin": MODERATOR, "analyst": ANALYST}


class SignedOut(Exception):
    """The API no longer knows the token (revoked, or the API was reconfigured)."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing the API (or the page's own form) would not take: the field, if one is
    named, what kind of problem (pydantic's type, e.g. "string_too_long"), its limit if it
    has one, and the API's own words."""

    field: str | None
    kind: str
    limit: object | None
    words: str


class Refused(ApiRefused):
    """The API said no to the page (another moderator holds the idea, a field over its
    limit...): each problem kept apart, so the page names the field and why
    (bot/web/problems.py)."""

    def __init__(self, status: int, problems: list[Problem]) -> None:
        words = "; ".join(f"{p.field}: {p.words}" if p.field else p.words for p in problems)
        super().__init__(words, status)
        self.problems = problems


# The limit a pydantic error names in its context, first found first.
LIMITS = ("max_length", "min_length", "le", "ge", "lt", "gt", "pattern", "expected")


def problems_in(detail: object) -> list[Problem]:
    """The API's (or FastAPI's) `detail`: a sentence, or a list of field errors."""
    if not isinstance(detail, list):
        return [Problem(None, "refused", None, str(detail))]
    found = []
    for error in detail:
        error = error if isinstance(error, dict) else {"msg": str(error)}
        where = [str(part) for part in error.get("loc", ())]
        field = where[-1] if len(where) > 1 else None  # ("query", "district"): district
        context = error.get("ctx") or {}
        limit = next((context[k] for k in LIMITS if k in context), None)
        found.append(Problem(field, str(error.get("type", "")), limit, str(error.get("msg", ""))))
    return found


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
        """What the token may see, as the API judges it now: MODERATOR (moderators, admins),
        ANALYST, or None (unknown, revoked, the bot's). Asked at sign-in and on every page."""
        answer = await self._send(token, "GET", "/tokens/me")
        if answer.status_code != 200:
            return None
        return PAGE_ROLES.get(answer.json().get("role"))

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
        if 400 <= response.status_code < 500:
            try:
                body = response.json()
            except ValueError:
                body = None
            detail = body.get("detail") if isinstance(body, dict) else None
            raise Refused(response.status_code, problems_in(detail or response.reason_phrase))
        response.raise_for_status()

    @classmethod
    def _json(cls, response: httpx.Response) -> Any:
        cls._check(response)
        return None if response.status_code == 204 else response.json()  # 204: done, no body

    async def aclose(self) -> None:
        await self._http.aclose()
