"""Participant refs: the only name a resident has past the webhook."""

from __future__ import annotations

import base64
import hashlib
import hmac


class Pseudonyms:
    def __init__(self, key: str) -> None:
        self._key = key.encode()

    def ref(self, address: str) -> str:
        """HMAC-SHA256 of `kind:address` (e.g. `tel:+33639980102`), 128 bits, base32.

        Keyed, so a leaked database cannot be matched against a list of phone numbers without
        the key; stable, so a resident who comes back by SMS or phone is the same participant.
        """
        digest = hmac.new(self._key, address.encode(), hashlib.sha256).digest()[:16]
        return base64.b32encode(digest).decode().rstrip("=").lower()
