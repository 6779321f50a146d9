"""Twilio's REST client over httpx, async. `api_url` sends its calls to another host than
api.twilio.com: a local fake Twilio in the tests, a recording proxy in a rehearsal."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

import httpx
from twilio.base.exceptions import TwilioRestException
from twilio.http import AsyncHttpClient
from twilio.http.response import Response
from twilio.rest import Client

log = logging.getLogger(__name__)


class HttpxTwilioClient(AsyncHttpClient):
    def __init__(self, api_url: str | None = None, timeout: float = 15.0) -> None:
        super().__init__(log, is_async=True, timeout=timeout)
        self._api_url = api_url.rstrip("/") if api_url else None
        self._http = httpx.AsyncClient(timeout=httpx.Timeout(timeout, connect=5.0))

    async def request(  # noqa: PLR0913 (Twilio's signature)
        self,
        method: str,
        uri: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        if self._api_url is not None:
            parts = urlsplit(uri)
            uri = self._api_url + parts.path + (f"?{parts.query}" if parts.query else "")
        response = await self._http.request(
            method,
            uri,
            params=params,  # type: ignore[arg-type]
            data=data,
            headers=headers,
            auth=auth,
            timeout=timeout or self.timeout,
            follow_redirects=allow_redirects,
        )
        return Response(response.status_code, response.text, response.headers)

    async def aclose(self) -> None:
        await self._http.aclose()


def twilio_client(
    account_sid: str, auth_token: str, api_url: str | None = None, timeout: float = 15.0
) -> Client:
    return Client(account_sid, auth_token, http_client=HttpxTwilioClient(api_url, timeout))


# Where a recording lives at Twilio: a call's (<Record>) or a message's media (a WhatsApp
# voice note), as the webhooks give them.
RECORDING = re.compile(r"/Accounts/AC\w+/Recordings/(RE\w+?)(?:\.\w+)?$")
MEDIA = re.compile(r"/Accounts/AC\w+/Messages/(MM\w+|SM\w+)/Media/(ME\w+?)(?:\.\w+)?$")


async def delete_recording(twilio: Client, url: str) -> bool:
    """Delete a recording where it lives, at Twilio (its REST API's DELETE): True when it is
    gone (deleted, or gone already), False when the URL is not one of Twilio's recordings."""
    path = urlsplit(url).path
    try:
        if found := RECORDING.search(path):
            await twilio.recordings(found[1]).delete_async()
        elif found := MEDIA.search(path):
            await twilio.messages(found[1]).media(found[2]).delete_async()
        else:
            return False
    except TwilioRestException as error:
        if error.status != 404:
            raise
    return True
