"""Who is signed in: their API token sealed in an HttpOnly cookie that expires.

The cookie is encrypted and authenticated (Fernet) with the server's key, so it can be neither
read nor forged, and every worker can open it without a shared session store. It also carries
the CSRF token that every form of the page must send back.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken

COOKIE = "parlons_staff"
# What the page shows a signed-in person: everything (moderators, admins), or the results and
# their downloads only (the city's analysts).
MODERATOR, ANALYST = "moderator", "analyst"


@dataclass(frozen=True)
class Staff:
    token: str  # the person's own API token: the API decides what it may do
    csrf: str
    role: str  # MODERATOR or ANALYST, as the API judged the token at sign-in

    @property
    def home(self) -> str:
        return home(self.role)


def home(role: str) -> str:
    """The first page a person sees: the one their work starts from."""
    return "/staff/results" if role == ANALYST else "/staff/moderation"


class CookieSeal:
    def __init__(self, key: str, max_age: int) -> None:
        derived = hashlib.sha256(b"parlons-web-cookie:" + key.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))
        self._tags = hashlib.sha256(b"parlons-web-tag:" + key.encode()).digest()
        self.max_age = max_age

    def tag(self, value: str) -> str:
        """A short HMAC of `value`: proof that this server wrote it into a page."""
        return hmac.new(self._tags, value.encode(), hashlib.sha256).hexdigest()[:32]

    def seal(self, token: str, role: str) -> str:
        staff = {"token": token, "csrf": secrets.token_urlsafe(24), "role": role}
        return self._fernet.encrypt(json.dumps(staff).encode()).decode()

    def open(self, cookie: str | None) -> Staff | None:
        """The signed-in person, or None for a missing, forged or expired cookie."""
        if not cookie:
            return None
        try:
            data = json.loads(self._fernet.decrypt(cookie.encode(), ttl=self.max_age))
            return Staff(token=data["token"], csrf=data["csrf"], role=data["role"])
        except (InvalidToken, ValueError, KeyError):  # KeyError: a cookie from before roles
            return None
