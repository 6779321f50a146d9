"""Local stand-ins for Twilio's REST API and Telegram's Bot API: real HTTP servers (run with
tests.conftest.ServerThread) that record what they were asked to send; and a clock."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import struct
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

    # WhatsApp: Content API resources by SID, media of inbound messages by MediaSid (Twilio's
    # URL answers a redirect to the file, as Twilio does), what was deleted.
    contents: dict[str, dict] = field(default_factory=dict)
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    media_fetches: list[dict[str, str]] = field(default_factory=list)  # headers of each GET

    def app(self) -> Starlette:
        account = "/2010-04-01/Accounts/{sid}"
        media = f"{account}/Messages/{{msg}}/Media/{{me}}"
        return Starlette(
            routes=[
                Route(f"{account}/Messages.json", self._message, methods=["POST"]),
                Route(f"{account}/Calls.json", self._call, methods=["POST"]),
                Route(f"{account}/Recordings/{{rec}}.mp3", self._recording),
                Route(f"{account}/Recordings/{{rec}}.json", self._delete, methods=["DELETE"]),
                Route(f"{media}.json", self._delete, methods=["DELETE"]),
                Route(media, self._media),
                Route("/media-files/{me}", self._media_file),
                Route("/v1/Content", self._contents, methods=["GET", "POST"]),
            ]
        )

    async def _media(self, request: Request) -> Response:
        """Twilio answers a media URL with a redirect to a short-lived URL of the file."""
        if not request.headers.get("authorization", "").startswith("Basic "):
            return Response(status_code=401)
        if request.path_params["me"] not in self.media:
            return Response(status_code=404)
        where = f"/media-files/{request.path_params['me']}"
        return Response(status_code=307, headers={"location": where})

    async def _media_file(self, request: Request) -> Response:
        self.media_fetches.append(dict(request.headers))
        found = self.media.get(request.path_params["me"])
        if found is None:
            return Response(status_code=404)
        return Response(found[0], media_type=found[1])

    async def _delete(self, request: Request) -> Response:
        assert request.headers["authorization"].startswith("Basic ")
        self.deleted.append(request.url.path)
        return Response(status_code=204)

    async def _contents(self, request: Request) -> JSONResponse:
        """The Content API: a list of the account's contents, or one created from JSON,
        checked against Twilio's documented limits."""
        assert request.headers["authorization"].startswith("Basic ")
        if request.method == "GET":
            listed = [{"sid": sid, **c} for sid, c in self.contents.items()]
            return JSONResponse({"contents": listed, "meta": {"next_page_url": None}})
        assert request.headers["content-type"].startswith("application/json")
        content = await request.json()
        check_content(content)
        sid = f"HX{next(self._sids):032x}"
        self.contents[sid] = content
        return JSONResponse({"sid": sid, **content}, 201)

    async def _recording(self, request: Request) -> Response:
        if not request.headers.get("authorization", "").startswith("Basic "):
            return Response(status_code=401)
        found = self.recordings.get(request.path_params["rec"])
        return Response(found, media_type="audio/mpeg") if found else Response(status_code=404)

    async def _accept(self, request: Request, into: list, prefix: str) -> JSONResponse:
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        assert request.headers["authorization"].startswith("Basic ")
        if form.get("To", "").startswith("whatsapp:"):
            self._check_whatsapp(form)
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

    def _check_whatsapp(self, form: dict[str, str]) -> None:
        """A WhatsApp message as Twilio's Messages API documents it: from a WhatsApp sender
        (or a Messaging Service), a body or a ContentSid with its ContentVariables."""
        assert re.fullmatch(r"whatsapp:\+[1-9]\d{6,14}", form["To"]), form["To"]
        assert form.get("From", "").startswith("whatsapp:+") or form.get("MessagingServiceSid")
        if "ContentSid" in form:
            assert "Body" not in form
            content = self.contents[form["ContentSid"]]
            variables = json.loads(form.get("ContentVariables", "{}"))
            assert set(variables) <= set(content.get("variables", {})), variables
            assert all(isinstance(v, str) and v for v in variables.values()), variables
        else:
            assert form.get("Body"), form

    def whatsapp_to(self, number: str) -> list[dict[str, str]]:
        return [m for m in self.messages if m.get("To") == f"whatsapp:{number}"]

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


def check_content(content: dict) -> None:
    """A Content API resource within Twilio's documented limits (twilio/quick-reply: a body of
    1,024 characters, in session up to three buttons of 20; twilio/list-picker: up to ten
    items of 24, a description of 72)."""
    assert content["friendly_name"] and len(content["language"]) == 2
    [(kind, fields)] = content["types"].items()
    assert len(fields["body"]) <= 1024
    if kind == "twilio/quick-reply":
        assert 1 <= len(fields["actions"]) <= 3
        assert all(len(a["title"]) <= 20 and a["id"] for a in fields["actions"])
    else:
        assert kind == "twilio/list-picker", kind
        assert 1 <= len(fields["items"]) <= 10 and fields["button"]
        for item in fields["items"]:
            assert len(item["item"]) <= 24 and len(item["description"]) <= 72 and item["id"]


def ogg_opus(seconds: float) -> bytes:
    """A WhatsApp voice note's container: Ogg pages (with their CRC) holding Opus's two header
    packets and a last page whose granule position says how long it plays."""
    from mutagen.ogg import OggPage

    pre_skip = 312
    head = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, pre_skip, 48000, 0, 0)
    tags = b"OpusTags" + struct.pack("<I", 7) + b"parlons" + struct.pack("<I", 0)
    pages = []
    for sequence, (packet, granule) in enumerate(
        [(head, 0), (tags, 0), (b"\xfc" + b"\x00" * 40, pre_skip + int(seconds * 48000))]
    ):
        page = OggPage()
        page.serial, page.sequence, page.position = 1, sequence, granule
        page.packets = [packet]
        page.first, page.last = sequence == 0, sequence == 2
        pages.append(page.write())
    return b"".join(pages)
