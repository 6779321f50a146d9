"""A ceiling on the size of every webhook's request body: 413 beyond it, before parsing.

Twilio's largest form (1,600 characters, each up to 12 bytes once percent-encoded) and
Telegram's largest update stay well under the default; a larger body is not from them.
"""

from __future__ import annotations

from fastapi import HTTPException, status
from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOO_LARGE = status.HTTP_413_CONTENT_TOO_LARGE


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, prefix: str = "/webhooks/") -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "0")
        if not declared.isdigit() or int(declared) > self.max_bytes:
            await PlainTextResponse("request body too large", TOO_LARGE)(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            # A body sent in chunks, with no length declared (or a false one), is counted as
            # it comes; the route's own error handling turns the exception into a 413.
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise HTTPException(TOO_LARGE, "request body too large")
            return message

        await self.app(scope, counted, send)
