"""Local stand-ins for Twilio's REST API and Telegram's Bot API: real HTTP servers (run with
tests.conftest.ServerThread) that record what they were asked to send."""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


@dataclass
class FakeTwilio:
    """Messages.json and Calls.json of one account. `failures[to]` are answered, in order, to
    requests for that number before one is accepted (e.g. [(503, 20500)]); `on_request(n, form)`
    runs before the n-th accepted one is answered; `hold_at` makes that request wait until
    `release` is set (a crash test)."""

    messages: list[dict[str, str]] = field(default_factory=list)
    calls: list[dict[str, str]] = field(default_factory=list)
    failures: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # status, code
    on_request: Callable[[int, dict[str, str]], None] | None = None
    hold_at: int | None = None
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    _sids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/2010-04-01/Accounts/{sid}/Messages.json", self._message, methods=["POST"]),
                Route("/2010-04-01/Accounts/{sid}/Calls.json", self._call, methods=["POST"]),
            ]
        )

    async def _accept(self, request: Request, into: list, prefix: str) -> JSONResponse:
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        assert request.headers["authorization"].startswith("Basic ")
        if self.failures.get(form.get("To", "")):
            status, code = self.failures[form["To"]].pop(0)
            return JSONResponse({"code": code, "message": "fake failure", "status": status}, status)
        into.append(form)
        count = len(self.messages) + len(self.calls)
        if self.on_request is not None:
            self.on_request(count, form)
        if count == self.hold_at:
            self.held.set()
            await asyncio.to_thread(self.release.wait)
        sid = f"{prefix}{next(self._sids):032x}"
        body = {"sid": sid, "account_sid": request.path_params["sid"], "status": "queued"}
        return JSONResponse({**body, "to": form.get("To")}, 201)

    async def _message(self, request: Request) -> JSONResponse:
        return await self._accept(request, self.messages, "SM")

    async def _call(self, request: Request) -> JSONResponse:
        return await self._accept(request, self.calls, "CA")


@dataclass
class FakeTelegram:
    """getMe and sendMessage of one bot; `blocked` chats answer 403 as Telegram does."""

    token: str
    sent: list[dict] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    retry_after: list[int] = field(default_factory=list)  # 429s to answer first

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/bot{token}/{method}", self._method, methods=["POST"])])

    async def _method(self, request: Request) -> JSONResponse:
        if request.path_params["token"] != self.token:
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, 401
            )
        method = request.path_params["method"]
        if method == "getMe":
            me = {"id": 1, "is_bot": True, "first_name": "Parlons", "username": "parlons_bot"}
            return JSONResponse({"ok": True, "result": me})
        if method != "sendMessage":
            return JSONResponse({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        # python-telegram-bot posts forms; others post JSON. Both are the Bot API.
        if request.headers.get("content-type", "").startswith("application/json"):
            body = await request.json()
        else:
            body = dict(await request.form())
        if self.retry_after:
            after = self.retry_after.pop(0)
            return JSONResponse(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests",
                    "parameters": {"retry_after": after},
                },
                429,
            )
        chat = int(body["chat_id"])
        if chat in self.blocked:
            return JSONResponse(
                {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked"}, 403
            )
        self.sent.append({**body, "chat_id": chat})
        message = {
            "message_id": len(self.sent),
            "date": 1800000000,
            "chat": {"id": chat, "type": "private"},
            "text": body["text"],
        }
        return JSONResponse({"ok": True, "result": message})
