"""A resident's Telegram chat in tests: real update payloads (tests/data/webhooks/telegram) posted
to the real webhook, and what the fake Bot API received read back as the chat shows it."""

from __future__ import annotations

import copy
import itertools
import json
import re
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import TELEGRAM_SECRET, WEBHOOKS, admin_get, results
from tests.fakes import Call, FakeTelegram

FIXTURES = WEBHOOKS / "telegram"
SECRET = TELEGRAM_SECRET
KARIM = 6100000002  # the user of fixture tg_02 (its link: ?start=centre-bourtzwiller)
MEDIATOR = 6200000001
_update_ids = itertools.count(913000000)


def fixture(name: str) -> dict[str, Any]:
    """A fixture's payload, without the notes (keys starting with "_")."""
    data = json.loads((FIXTURES / name).read_text())
    return {k: v for k, v in data.items() if not k.startswith("_")}


class TelegramChat:
    """One Telegram user writing to the bot in a private chat."""

    def __init__(
        self, client: TestClient, fake: FakeTelegram, user_id: int, language: str = "fr"
    ) -> None:
        self.client = client
        self.fake = fake
        self.user_id = user_id
        self.language = language

    # --- what the user does --------------------------------------------------------------

    def say(self, text: str, update_id: int | None = None) -> list[Call]:
        update = self._message("tg_01_text.json", update_id)
        update["message"]["text"] = text
        return self.post(update)

    def start(self, payload: str | None = None) -> list[Call]:
        update = self._message("tg_02_start_deeplink.json")
        text = "/start" if payload is None else f"/start {payload}"
        update["message"]["text"] = text
        return self.post(update)

    def voice(self, file_id: str) -> list[Call]:
        update = self._message("tg_01_text.json")
        del update["message"]["text"]
        update["message"]["voice"] = {
            "file_id": file_id,
            "file_unique_id": "AgADvoice",
            "duration": 7,
            "mime_type": "audio/ogg",
        }
        return self.post(update)

    def photo(self) -> list[Call]:
        update = self._message("tg_01_text.json")
        del update["message"]["text"]
        update["message"]["photo"] = [
            {"file_id": "AgACphoto", "file_unique_id": "AQADphoto", "width": 90, "height": 90}
        ]
        return self.post(update)

    def press(self, label: str, message: Call | None = None) -> list[Call]:
        """Press the button whose text contains `label`, on `message` (default: the last
        message with buttons), as fixture tg_03 shows Telegram sends it."""
        return self.post(self.press_update(label, message))

    def press_update(self, label: str, message: Call | None = None) -> dict[str, Any]:
        message = message or self.last_with_buttons()
        button = next(b for b in message.buttons if label in b["text"])
        update = fixture("tg_03_callback_query.json")
        update["update_id"] = next(_update_ids)
        query = update["callback_query"]
        query["from"].update(id=self.user_id, language_code=self.language)
        query["message"].update(
            message_id=message.message_id,
            text=message.text,
            reply_markup=message.params["reply_markup"],
        )
        query["message"]["chat"]["id"] = self.user_id
        query["data"] = button["callback_data"]
        return update

    def block(self) -> list[Call]:
        update = fixture("tg_08_my_chat_member_kicked.json")
        update["update_id"] = next(_update_ids)
        update["my_chat_member"]["chat"]["id"] = self.user_id
        update["my_chat_member"]["from"]["id"] = self.user_id
        return self.post(update)

    def post(self, update: dict[str, Any], secret: str | None = SECRET) -> list[Call]:
        """Post an update; the Bot API calls it caused."""
        before = len(self.fake.calls)
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        response = self.client.post("/webhooks/telegram", json=update, headers=headers)
        assert response.status_code == 200, response.text
        return self.fake.calls[before:]

    # --- what the chat shows --------------------------------------------------------------

    def last_with_buttons(self) -> Call:
        return next(c for c in reversed(self.fake.messages(self.user_id)) if c.buttons)

    def _message(self, name: str, update_id: int | None = None) -> dict[str, Any]:
        update = copy.deepcopy(fixture(name))
        update["update_id"] = update_id or next(_update_ids)
        message = update["message"]
        message["from"].update(id=self.user_id, language_code=self.language)
        message["chat"]["id"] = self.user_id
        message.pop("entities", None)
        return update


def texts(calls: list[Call]) -> str:
    """The text of the messages sent, as one string to search."""
    return "\n".join(c.text for c in calls if c.method == "sendMessage")


def votes(client: TestClient) -> int:
    return sum(p["votes"] for p in results(client).values())


def mediator_link(parlons) -> str:  # noqa: ANN001
    """A centre and a mediator link for it, made with `parlons`: the link's code."""
    parlons("centre", "add", "Centre social Bourtzwiller", "--code", "centre-bourtzwiller")
    printed = parlons("mediator", "add", "--centre", "centre-bourtzwiller")
    return re.search(r"start=(m_[\w-]+)", printed).group(1)


def by_centre(app: TestClient) -> dict[str, int]:
    """Participants per centre, as the API's results report them ("unknown": none)."""
    data = admin_get(app, "/api/v1/consultations/test-city/results")
    return {centre: p["participants"] for centre, p in data["participation"]["centre"].items()}


def participants(app: TestClient) -> int:
    return admin_get(app, "/api/v1/consultations/test-city/results")["participants"]
