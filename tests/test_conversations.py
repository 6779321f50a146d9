"""Whole conversations, kept as data (tests/conversations/*.yaml), run through the real app
with signed Twilio requests, by SMS or on the phone; the results and the pending ideas the API
reports are checked at the end."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import DEMO_CONSULTATION, Settings
from channels import sms
from tests.conftest import Phone, admin_get, results
from tests.fakes import FakeTwilio
from tests.twilio_voice import Caller
from tests.whatsapp.helpers import WhatsApp, make_contents, whatsapp_settings

CONVERSATIONS = sorted((Path(__file__).parent / "conversations").glob("*.yaml"))
CONSULTATIONS = {"test": Path(__file__).parent / "data" / "consultation.yaml"}
CONSULTATIONS["demo"] = DEMO_CONSULTATION
KEYS = {  # consultation -> proposal key -> text, from the consultation files
    name: {p["key"]: p["text"] for p in yaml.safe_load(path.read_text("utf-8"))["proposals"]}
    for name, path in CONSULTATIONS.items()
}


@pytest.mark.parametrize("path", CONVERSATIONS, ids=[p.stem for p in CONVERSATIONS])
def test_conversation(path: Path, settings: Settings, request: pytest.FixtureRequest) -> None:
    """An SMS conversation (`send`, `reply`), or a phone call (`channel: voice`: `say` words
    as a speech result, `press` keys, `silence`; `said` is everything the caller hears, `slow`
    what is said slowly; `hang_up` at the end), or WhatsApp (`channel: whatsapp`: below)."""
    script = yaml.safe_load(path.read_text(encoding="utf-8"))
    settings.consultation = CONSULTATIONS[script.get("consultation", "test")]
    if script.get("channel") == "whatsapp":
        twilio = request.getfixturevalue("fake_twilio")
        whatsapp_settings(settings, twilio)
        parlons = request.getfixturevalue("parlons")
        monkeypatch = request.getfixturevalue("monkeypatch")
        make_contents(parlons, monkeypatch, twilio, settings.consultation)
    with TestClient(create_app(settings)) as client:
        if script.get("channel") == "whatsapp":
            _whatsapp(client, twilio, script)
        elif script.get("channel") == "voice":
            _call(client, script)
        else:
            written = _twiml_checked(request.getfixturevalue("monkeypatch"))
            phone = Phone(client, script["from"])
            for number, turn in enumerate(script["turns"], start=1):
                said = turn["send"]
                assert phone.send(said) == turn["reply"], f"turn {number}: {said!r}"
            assert len(written) == len(script["turns"])
        _check_results(client, script)


def _twiml_checked(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """Every SMS answer's TwiML, written as a string (channels/sms.py), is also built by
    Twilio's own `MessagingResponse`: the two must be the same text."""
    written: list[str | None] = []
    ours = sms.twiml

    def compared(body: str | None) -> str:
        twiml = ours(body)
        assert twiml == sms.builder_twiml(body), body
        written.append(body)
        return twiml

    monkeypatch.setattr(sms, "twiml", compared)
    return written


def _call(client: TestClient, script: dict) -> None:
    caller = Caller(client, script["from"])
    for number, turn in enumerate(script["turns"], start=1):
        if "say" in turn:
            confidence = str(turn.get("confidence", 0.9))
            answer = caller.answer(SpeechResult=turn["say"], Confidence=confidence)
        elif "press" in turn:
            answer = caller.press(str(turn["press"]))
        elif "silence" in turn:
            answer = caller.silence()
        else:
            answer = caller.call()
        if "said_starts" in turn:  # what follows varies (which proposal comes next)
            assert answer.text.startswith(turn["said_starts"]), f"turn {number}: {turn}"
        else:
            assert answer.text == turn["said"], f"turn {number}: {turn}"
        slow = [s.text for s in answer.said if s.slow]
        assert slow == ([turn["slow"]] if "slow" in turn else []), f"turn {number}: {turn}"
    if script.get("hang_up"):
        caller.hang_up()


def _whatsapp(client: TestClient, twilio: FakeTwilio, script: dict) -> None:
    """Each turn `send`s text, `tap`s a button by its label (`payload` for an old one),
    sends a `voice` note of so many seconds or a `photo`, or `sms` (the same number by SMS);
    `seen` is every message the resident gets, each its text and its `buttons`."""
    resident = WhatsApp(client, twilio, script["from"])
    sms = Phone(client, script["from"])
    for number, turn in enumerate(script["turns"], start=1):
        if "sms" in turn:
            assert sms.send(turn["sms"]) == turn["reply"], f"turn {number}: {turn['sms']!r}"
            continue
        if "send" in turn:
            seen = resident.send(turn["send"])
        elif "payload" in turn:
            seen = resident.tap_payload(turn["tap"], turn["payload"])
        elif "tap" in turn:
            seen = resident.tap(turn["tap"])
        elif "voice" in turn:
            seen = resident.voice(turn["voice"])
        else:
            seen = resident.photo()
        got = [{"text": s.text, **({"buttons": s.buttons} if s.buttons else {})} for s in seen]
        assert got == turn["seen"], f"turn {number}: {turn}"


def _check_results(client: TestClient, script: dict) -> None:
    slug = "mulhouse" if script.get("consultation") == "demo" else "test-city"
    data = admin_get(client, f"/api/v1/consultations/{slug}/results")
    counted = {p["text"]: p for p in data["proposals"]}
    for key, expected in script["results"].items():
        got = counted[KEYS[script.get("consultation", "test")][key]]
        assert {k: got[k] for k in expected} == expected, key
    pending = admin_get(client, f"/api/v1/consultations/{slug}/proposals?status=pending")
    expected = [p if isinstance(p, dict) else {"text": p} for p in script.get("pending", [])]
    assert [{k: p[k] for k in e} for p, e in zip(pending, expected, strict=False)] == expected
    assert len(pending) == len(expected)


def test_sms_asks_for_qualifications_only_when_configured(settings, tmp_path) -> None:  # noqa: ANN001
    from bot.app import create_app

    settings.qualify_channels = ["sms"]
    with TestClient(create_app(settings)) as client:
        phone = Phone(client, "+33639980190")
        phone.send("Bonjour")
        assert (
            phone.send("1") == "Noté.\nEn un mot ?\n1=Coup de coeur 2=Réaliste 3=Banal 0=Continuer"
        )
        assert phone.send("1").startswith("Proposition 2 : ")
        counted = results(client)["Il faut renforcer l'aide alimentaire dans chaque quartier."]
    assert (counted["agree"], counted["qualifications"]) == (1, {"favourite": 1})
