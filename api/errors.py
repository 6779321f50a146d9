"""What the service layer raises, and what each becomes over HTTP (api/http.py)."""

from __future__ import annotations


class NotFound(LookupError):
    """A consultation or proposal that does not exist (404 over HTTP)."""


class Invalid(ValueError):
    """A request that names something impossible, e.g. a ballot on another consultation's
    proposal (422 over HTTP)."""


class Conflict(RuntimeError):
    """A request that clashes with the current state, e.g. a proposal another moderator
    holds (409 over HTTP)."""
