"""A caller on the phone line, as Twilio drives it: signed posts to the voice webhook and the
action URLs our TwiML names, with every TwiML answer checked as Twilio would read it."""

from __future__ import annotations

import inspect
import itertools
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from twilio.twiml import TwiML, lower_camel
from twilio.twiml import voice_response as twiml

from tests.conftest import PUBLIC_URL, sign

VOICE_URL = f"{PUBLIC_URL}/webhooks/twilio/voice"
_calls = itertools.count(1)


def check_twiml(text: str) -> ET.Element:
    """Well-formed, and only verbs, nouns and attributes that the twilio library's own
    builders produce: each element must be one its parent's class can nest, each attribute
    a named parameter of that builder (the element's text, e.g. Say's message, is not)."""
    root = ET.fromstring(text)
    assert root.tag == "Response", root.tag
    _check(twiml.VoiceResponse, root)
    return root


def _check(parent: type, element: ET.Element) -> None:
    for child in element:
        snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in child.tag).lstrip("_")
        builder = getattr(parent, snake, None)
        assert builder is not None, f"<{child.tag}> cannot go in <{element.tag}>"
        # SSML inside <Say> (<prosody>, <say-as>...) is built by the Ssml* classes.
        ssml = "Ssml" + "".join(part.title() for part in child.tag.split("-"))
        cls = getattr(twiml, child.tag, None) or getattr(twiml, ssml)
        content = set(inspect.signature(cls.__init__).parameters) - {"self", "kwargs"}
        params = set(inspect.signature(builder).parameters) - {"self", "kwargs"} - content
        allowed = {lower_camel(TwiML.MAP.get(p, p)) for p in params}
        unknown = set(child.attrib) - allowed
        assert not unknown, f"<{child.tag}> has attributes Twilio does not know: {unknown}"
        for attribute in ("action",):
            if attribute in child.attrib:
                assert child.attrib[attribute].startswith(VOICE_URL + "/"), child.attrib
        if child.tag == "Redirect":
            assert (child.text or "").startswith(VOICE_URL + "/"), child.text
        _check(cls, child)


@dataclass
class Said:
    text: str
    voice: str
    language: str
    slow: bool = False  # said in <prosody rate="slow">


class Answer:
    """One TwiML answer, as the caller experiences it."""

    def __init__(self, text: str) -> None:
        self.twiml = text
        self.root = check_twiml(text)
        self.said = [
            Said(
                "".join(e.itertext()),
                e.attrib["voice"],
                e.attrib["language"],
                any(p.attrib.get("rate") == "slow" for p in e.iter("prosody")),
            )
            for e in self.root.iter("Say")
        ]
        self.gather = self.root.find("Gather")
        self.record = self.root.find("Record")
        self.hangs_up = self.root.find("Hangup") is not None
        redirect = self.root.find("Redirect")
        self.next_url = redirect.text if redirect is not None else None

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.said)


class Caller:
    """One phone call from `number` (None: a withheld number)."""

    def __init__(self, client: TestClient, number: str | None) -> None:
        self.client = client
        self.number = number or "+266696687"  # what Twilio sends for "anonymous"
        self.sid = f"CA{next(_calls):032x}"
        self.next_url: str | None = None

    def form(self, **fields: str) -> dict[str, str]:
        """The fields Twilio posts in a call (see tests/data/webhooks/twilio_voice)."""
        return {
            "AccountSid": "AC00000000000000000000000000000000",
            "ApiVersion": "2010-04-01",
            "CallSid": self.sid,
            "CallStatus": "in-progress",
            "Direction": "inbound",
            "From": self.number,
            "Caller": self.number,
            "FromCountry": "FR",
            "To": "+33199000042",
            "Called": "+33199000042",
            **fields,
        }

    def post(self, url: str, form: dict[str, str]) -> str:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        response = self.client.post(
            path, data=form, headers={"X-Twilio-Signature": sign(url, form)}
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/xml")
        return response.text

    def call(self) -> Answer:
        return self._answer(self.post(VOICE_URL, self.form(CallStatus="ringing")))

    def answer(self, **fields: str) -> Answer:
        assert self.next_url, "the last answer asked nothing"
        return self._answer(self.post(self.next_url, self.form(**fields)))

    def press(self, digits: str) -> Answer:
        return self.answer(Digits=digits)

    def say(self, words: str) -> Answer:
        return self.answer(SpeechResult=words, Confidence="0.92")

    def silence(self) -> Answer:
        return self.answer()

    def hang_up(self) -> str:
        form = self.form(CallStatus="completed", CallDuration="87")
        return self.post(f"{VOICE_URL}/status", form)

    def _answer(self, text: str) -> Answer:
        answer = Answer(text)
        self.next_url = answer.next_url
        if answer.gather is not None:
            assert answer.gather.attrib["action"] == answer.next_url
        if answer.record is not None:
            assert answer.record.attrib["action"] == answer.next_url
        return answer
