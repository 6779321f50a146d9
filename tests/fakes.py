"""Local stand-ins for Twilio's REST API and Telegram's Bot API: real HTTP servers (run with
tests.conftest.ServerThread) that record what they were asked to send; and a clock."""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


class FakeClock:
    """A clock that waiting moves on, at no cost to the test: a broadcast's clock and sleep,
    or the runtime's (`Runtime.clock`), moved on by the test as a resident's time passes."""

    def __init__(self, start: datetime) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(seconds)


@dataclass
class FakeTwilio:
    """Messages.json and Calls.json of one account. `failures[to]` are answered, in order, to
    requests for that number before one is accepted (e.g. [(503, 20500)]); `on_request(n, form)`
    runs before the n-th accepted one is answered; `hold_at` makes that request wait until
    `release` is set (a crash test)."""

    messages: list[dict[str, str]] = field(default_factory=list)
    calls: list[dict[str, str]] = field(default_factory=list)
    recordings: dict[str, bytes] = field(default_factory=dict)  # by RecordingSid, as MP3
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
                Route("/2010-04-01/Accounts/{sid}/Recordings/{rec}.mp3", self._recording),
            ]
        )

    async def _recording(self, request: Request) -> Response:
        if not request.headers.get("authorization", "").startswith("Basic "):
            return Response(status_code=401)
        found = self.recordings.get(request.path_params["rec"])
        return Response(found, media_type="audio/mpeg") if found else Response(status_code=404)

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
class Call:
    """One Bot API call, its parameters (`reply_markup` decoded) and what it answered."""

    method: str
    params: dict[str, Any]
    result: Any = None

    @property
    def text(self) -> str:
        return self.params.get("text", "")

    @property
    def message_id(self) -> int:
        return self.result["message_id"]

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """The message's inline buttons, in order."""
        markup = self.params.get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]


@dataclass
class FakeTelegram:
    """The Bot API of one bot: every call recorded in `calls` (sendMessage bodies also in
    `sent`), `updates` served to getUpdates; `blocked` chats answer 403 as Telegram does, and
    `retry_after` 429s are answered first."""

    token: str
    url: str = ""  # where it listens, once started
    sent: list[dict] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    retry_after: list[int] = field(default_factory=list)  # 429s to answer first
    files: dict[str, bytes] = field(default_factory=dict)  # by file_id (voice notes)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(500))

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/bot{token}/{method}", self._method, methods=["POST"]),
                Route("/file/bot{token}/voice/{file_id}.oga", self._file),
            ]
        )

    async def _file(self, request: Request) -> Response:
        found = self.files.get(request.path_params["file_id"])
        if request.path_params["token"] != self.token or found is None:
            return Response(status_code=404)
        return Response(found, media_type="audio/ogg")

    async def _method(self, request: Request) -> JSONResponse:
        if request.path_params["token"] != self.token:
            return _telegram_error(401, "Unauthorized")
        method = request.path_params["method"]
        # python-telegram-bot posts forms (objects as JSON strings); others post JSON.
        if request.headers.get("content-type", "").startswith("application/json"):
            params = await request.json()
        else:
            params = {
                k: json.loads(v) if k in JSON_FIELDS else v
                for k, v in (await request.form()).items()
            }
        if method == "sendMessage" and self.retry_after:
            return _telegram_error(
                429, "Too Many Requests", {"retry_after": self.retry_after.pop(0)}
            )
        if method == "sendMessage" and int(params["chat_id"]) in self.blocked:
            return _telegram_error(403, "Forbidden: bot was blocked by the user")
        result = await self._result(method, params)
        if method != "getUpdates":
            self.calls.append(Call(method, params, result))
        if method == "sendMessage":
            self.sent.append({**params, "chat_id": int(params["chat_id"])})
        return JSONResponse({"ok": True, "result": result})

    async def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "getFile":
            file_id = params["file_id"]
            return {
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_path": f"voice/{file_id}.oga",
            }
        if method in ("sendMessage", "editMessageText", "editMessageReplyMarkup"):
            chat = int(params["chat_id"])
            return {
                "message_id": int(params.get("message_id") or next(self._ids)),
                "from": BOT_USER,
                "date": 1800000000,
                "chat": {"id": chat, "type": "private", "first_name": "Resident"},
                "text": params.get("text", ""),
            }
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
            if not self.updates:
                await asyncio.sleep(0.05)  # a short long poll: nothing is waiting
            return self.updates
        return True  # answerCallbackQuery, setWebhook, deleteWebhook...

    def messages(self, chat_id: int | None = None) -> list[Call]:
        """The sendMessage calls, to one chat or to all."""
        return [
            c
            for c in self.calls
            if c.method == "sendMessage" and chat_id in (None, int(c.params["chat_id"]))
        ]

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]


BOT_USER = {"id": 7011223344, "is_bot": True, "first_name": "Parlons", "username": "TestBot"}
JSON_FIELDS = {"reply_markup", "allowed_updates", "commands"}


def _telegram_error(code: int, description: str, parameters: dict | None = None) -> JSONResponse:
    body = {"ok": False, "error_code": code, "description": description}
    return JSONResponse({**body, "parameters": parameters} if parameters else body, code)
