"""Twilio's webhooks, one wire format: the form Twilio posts, checked against its signature
and the public URL Twilio was given. SMS, the phone line and the status callbacks of the
messages we start all read their request through `TwilioWebhook.form`."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response
from twilio.request_validator import RequestValidator, compare

FORM = "application/x-www-form-urlencoded"


def _plain(text: str, status_code: int) -> Response:
    return Response(text, status_code=status_code, media_type="text/plain")


class TwilioWebhook:
    """Refuses every request when no auth token is configured: an open webhook would let
    anyone vote in a resident's name."""

    def __init__(self, auth_token: str | None, public_url: str) -> None:
        self._validator = RequestValidator(auth_token) if auth_token else None
        self._public_url = public_url.rstrip("/")

    async def form(
        self, request: Request, needs: tuple[str, ...] = (), otherwise: str = ""
    ) -> dict[str, str] | Response:
        """The form Twilio posted, or the answer to give instead: 403 when the signature is
        not Twilio's, 400 (`otherwise`) when a field of `needs` is missing."""
        if request.headers.get("content-type", "").startswith(FORM):
            # What Twilio posts: read at once, not through the multipart parser (a tenth of
            # a turn). The last of a repeated field counts, as in Starlette's form.
            raw = (await request.body()).decode("latin-1")  # percent-escaped: as Starlette
            form = dict(parse_qsl(raw, keep_blank_values=True))
        else:
            form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        if not self.is_valid(request, form):
            return _plain("forbidden", 403)
        if any(name not in form for name in needs):
            return _plain(otherwise, 400)
        return form

    def url_of(self, request: Request) -> str:
        # Behind a proxy the request's own host is not what Twilio signed: rebuild the URL
        # from PARLONS_PUBLIC_URL, with the path and query Twilio called.
        query = f"?{request.url.query}" if request.url.query else ""
        return f"{self._public_url}{request.url.path}{query}"

    def is_valid(self, request: Request, form: Mapping[str, str]) -> bool:
        signature = request.headers.get("X-Twilio-Signature")
        if self._validator is None or not signature:
            return False
        url, params = self.url_of(request), dict(form)
        # The URL exactly as configured is what Twilio signs: one HMAC settles a genuine
        # request. Only a mismatch pays for Twilio's full check (the URL with and without
        # its port), which computes two.
        if compare(self._validator.compute_signature(url, params), signature):
            return True
        return self._validator.validate(url, params, signature)
