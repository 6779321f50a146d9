"""Participant refs: the only name a resident has past the webhook."""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

# The refs of the residents writing now: a message's ref is asked for by each layer of its
# turn (held messages, the turn, its last channel), computed once. Small: nothing kept long.
RECENT_REFS = 1024


class Pseudonyms:
    def __init__(self, key: str) -> None:
        self._key = key.encode()
        self.ref = lru_cache(maxsize=RECENT_REFS)(self._ref)

    def _ref(self, address: str) -> str:
        """HMAC-SHA256 of `kind:address` (e.g. `tel:+33639980102`), 128 bits, base32.

        Keyed, so a leaked database cannot be matched against a list of phone numbers without
        the key; stable, so a resident who comes back by SMS or phone is the same participant.
        """
        digest = hmac.new(self._key, address.encode(), hashlib.sha256).digest()[:16]
        return base64.b32encode(digest).decode().rstrip("=").lower()
