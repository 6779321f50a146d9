"""A WhatsApp resident for the tests: posts what Twilio posts for a WhatsApp message (the
fields of tests/data/webhooks/twilio_whatsapp), signed, and reads back what the resident sees:
the TwiML's text, or the messages the app sent through the fake Twilio's REST API (a content
template's body and buttons)."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from fastapi.testclient import TestClient

from bot.settings import Settings
from tests.conftest import PUBLIC_URL, sign
from tests.fakes import FakeTwilio, ogg_opus

WHATSAPP_URL = f"{PUBLIC_URL}/webhooks/twilio/whatsapp"
SMS_URL = f"{PUBLIC_URL}/webhooks/twilio/sms"
ACCOUNT = "AC" + "e2" * 16
OURS = "whatsapp:+33199000042"
_ids = itertools.count(1)


@dataclass
class Seen:
    """One message on the resident's screen."""

    text: str
    buttons: list[str] = field(default_factory=list)
    payloads: list[str] = field(default_factory=list)


def whatsapp_form(number: str, **fields: str) -> dict[str, str]:
    sid = f"SM{next(_ids):032x}"
    form = {
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ProfileName": "Résidente",
        "MessageType": "text",
        "SmsSid": sid,
        "WaId": number.removeprefix("+"),
        "SmsStatus": "received",
        "Body": "",
        "To": OURS,
        "NumSegments": "1",
        "ReferralNumMedia": "0",
        "MessageSid": sid,
        "AccountSid": ACCOUNT,
        "From": f"whatsapp:{number}",
        "ApiVersion": "2010-04-01",
    }
    return {**form, **fields}


class WhatsApp:
    def __init__(self, client: TestClient, twilio: FakeTwilio, number: str) -> None:
        self.client = client
        self.twilio = twilio
        self.number = number
        self.last: list[Seen] = []

    def post(self, form: dict[str, str], url: str = WHATSAPP_URL) -> list[Seen]:
        before = len(self.twilio.whatsapp_to(self.number))
        path = url.removeprefix(PUBLIC_URL)
        response = self.client.post(
            path, data=form, headers={"X-Twilio-Signature": sign(url, form)}
        )
        assert response.status_code == 200, response.text
        seen = [self._seen(m) for m in self.twilio.whatsapp_to(self.number)[before:]]
        twiml = ET.fromstring(response.text)
        seen += [Seen("".join(m.itertext())) for m in twiml.findall("Message")]
        self.last = seen
        return seen

    def send(self, text: str) -> list[Seen]:
        return self.post(whatsapp_form(self.number, Body=text))

    def tap(self, label: str) -> list[Seen]:
        """Tap the button (or list item) of that label on the last message that had some."""
        shown = next(s for s in reversed(self.last) if s.buttons)
        payload = shown.payloads[shown.buttons.index(label)]
        return self.tap_payload(label, payload)

    def tap_payload(self, label: str, payload: str) -> list[Seen]:
        kind = {"MessageType": "button", "ButtonText": label, "ButtonPayload": payload}
        return self.post(whatsapp_form(self.number, Body=label, **kind))

    def voice(self, seconds: float) -> list[Seen]:
        message, media = f"MM{next(_ids):032x}", f"ME{next(_ids):032x}"
        self.twilio.media[media] = (ogg_opus(seconds), "audio/ogg")
        url = (
            f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Messages/{message}/Media/{media}"
        )
        fields = {
            "NumMedia": "1",
            "MessageType": "audio",
            "MediaContentType0": "audio/ogg",
            "MediaUrl0": url,
        }
        return self.post(whatsapp_form(self.number, MessageSid=message, **fields))

    def photo(self) -> list[Seen]:
        message, media = f"MM{next(_ids):032x}", f"ME{next(_ids):032x}"
        url = (
            f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Messages/{message}/Media/{media}"
        )
        fields = {"NumMedia": "1", "MessageType": "image", "MediaContentType0": "image/jpeg"}
        return self.post(whatsapp_form(self.number, MessageSid=message, MediaUrl0=url, **fields))

    def _seen(self, sent: dict[str, str]) -> Seen:
        if "ContentSid" not in sent:
            return Seen(sent["Body"])
        import json

        content = self.twilio.contents[sent["ContentSid"]]
        variables = json.loads(sent["ContentVariables"])
        [(kind, fields)] = content["types"].items()
        options = fields.get("actions") or fields.get("items")
        labels = [o.get("title") or o.get("item") for o in options]
        payloads = [variables[o["id"].strip("{}")] for o in options]
        return Seen(variables["1"], labels, payloads)


def whatsapp_settings(settings: Settings, twilio: FakeTwilio) -> Settings:
    settings.twilio_account_sid = ACCOUNT
    settings.twilio_api_url = twilio.url  # type: ignore[attr-defined]
    return settings


def make_contents(parlons, monkeypatch, twilio: FakeTwilio, consultation) -> str:  # noqa: ANN001
    """`parlons whatsapp-content` against the fake Twilio, on the test's database."""
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "test-twilio-auth-token")
    monkeypatch.setenv("PARLONS_TWILIO_API_URL", twilio.url)  # type: ignore[attr-defined]
    monkeypatch.setenv("PARLONS_CONSULTATION", str(consultation))
    return parlons("whatsapp-content")
