"""Whole conversations, kept as data (tests/conversations/*.yaml), run through the real app
with signed Twilio requests: by SMS (`send`, `reply`), or on the phone (`channel: voice`:
`call`, `press`, `say` or `silence`, then what the caller hears, and what is said slowly).
The results and the pending ideas the API reports are checked at the end."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from tests.conftest import Phone, admin_get, results
from tests.twilio_voice import Caller

CONVERSATIONS = sorted((Path(__file__).parent / "conversations").glob("*.yaml"))
KEYS = {  # proposal key -> text, from tests/data/consultation.yaml
    p["key"]: p["text"]
    for p in yaml.safe_load((Path(__file__).parent / "data" / "consultation.yaml").read_text())[
        "proposals"
    ]
}


@pytest.mark.parametrize("path", CONVERSATIONS, ids=[p.stem for p in CONVERSATIONS])
def test_conversation(path: Path, client: TestClient) -> None:
    script = yaml.safe_load(path.read_text(encoding="utf-8"))
    if script.get("channel") == "voice":
        _call(client, script)
    else:
        phone = Phone(client, script["from"])
        for number, turn in enumerate(script["turns"], start=1):
            assert phone.send(turn["send"]) == turn["reply"], f"turn {number}: {turn['send']!r}"
    counted = results(client)
    for key, expected in script["results"].items():
        got = counted[KEYS[key]]
        assert {k: got[k] for k in expected} == expected, key
    pending = admin_get(client, "/api/v1/consultations/test-city/proposals?status=pending")
    expected = [p if isinstance(p, dict) else {"text": p} for p in script.get("pending", [])]
    assert [{k: p[k] for k in e} for p, e in zip(pending, expected, strict=False)] == expected
    assert len(pending) == len(expected)


def _call(client: TestClient, script: dict) -> None:
    caller = Caller(client, script["from"])
    for number, turn in enumerate(script["turns"], start=1):
        if "call" in turn:
            answer = caller.call()
        elif "press" in turn:
            answer = caller.press(str(turn["press"]))
        elif "say" in turn:
            answer = caller.say(turn["say"])
        else:
            answer = caller.silence()
        assert answer.text == turn["hear"], f"turn {number}"
        slow = [s.text for s in answer.said if s.slow]
        assert slow == ([turn["slow"]] if "slow" in turn else []), f"turn {number}"
    if script.get("hang_up"):
        caller.hang_up()


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
