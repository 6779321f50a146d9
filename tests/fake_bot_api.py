"""A fake Telegram Bot API: a real HTTP server that records every call python-telegram-bot
makes and answers as Telegram would, so tests check what a resident's chat would show."""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request

BOT_USER = {"id": 7011223344, "is_bot": True, "first_name": "Consultation", "username": "TestBot"}
JSON_FIELDS = {"reply_markup", "allowed_updates", "commands"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    result: Any = None

    @property
    def message_id(self) -> int:
        return self.result["message_id"]

    @property
    def text(self) -> str:
        return self.params.get("text", "")

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """The inline buttons of the message, in order."""
        markup = self.params.get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]


@dataclass
class FakeBotApi:
    token: str
    calls: list[Call] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)  # served to getUpdates
    _ids: itertools.count = field(default_factory=lambda: itertools.count(500))

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/bot{token}/{method}")
        async def method(token: str, method: str, request: Request) -> dict:
            if token != self.token:
                return {"ok": False, "error_code": 401, "description": "Unauthorized"}
            form = await request.form()
            params = {k: json.loads(v) if k in JSON_FIELDS else v for k, v in form.items()}
            result = await self._result(method, params)
            if method != "getUpdates":
                self.calls.append(Call(method, params, result))
            return {"ok": True, "result": result}

        return app

    async def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method in ("sendMessage", "editMessageText", "editMessageReplyMarkup"):
            chat_id = int(params["chat_id"])
            return {
                "message_id": int(params.get("message_id") or next(self._ids)),
                "from": BOT_USER,
                "chat": {"id": chat_id, "type": "private", "first_name": "Resident"},
                "date": 1781024400,
                "text": params.get("text", ""),
            }
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
            if not self.updates:
                await asyncio.sleep(0.05)  # a short long-poll: nothing waiting
            return self.updates
        return True

    def sent(self, chat_id: int | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == "sendMessage"
            and (chat_id is None or int(c.params["chat_id"]) == chat_id)
        ]

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]
