"""Twilio's webhook signature, checked against the public URL Twilio was given."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from twilio.request_validator import RequestValidator, compare


class TwilioSignature:
    """Refuses every request when no auth token is configured: an open webhook would let
    anyone vote in a resident's name."""

    def __init__(self, auth_token: str | None, public_url: str) -> None:
        self._validator = RequestValidator(auth_token) if auth_token else None
        self._public_url = public_url.rstrip("/")

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
