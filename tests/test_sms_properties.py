"""Property-based tests of the SMS channel (hypothesis): whatever a phone sends, the parser
keeps it as it was written, Twilio always gets well-formed TwiML back, and STOP, in any offered
language and any spelling, stops that number at once.

Examples per test: the hypothesis profile in tests/conftest.py (400 in CI); the tests through
the whole app state their own count.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.app import create_app
from bot.settings import Settings
from channels import sms
from channels.base import Outcome
from dialogs import Ask, Media, Option, Say, Text
from dialogs.words import Intent, keyword_lists
from tests.conftest import (
    ADMIN_TOKEN,
    BOT_TOKEN,
    PUBLIC_URL,
    Phone,
    admin_get,
    sms_form,
)

LANGUAGES = ("fr", "en", "de", "ar", "tr", "pt")
STOP_WORDS = sorted(
    {word for lang in LANGUAGES for word in keyword_lists(lang)[Intent.STOP].split("|")}
)
# What residents' phones and pranksters send: any script, emoji, right-to-left text, bidi and
# zero-width controls, control characters, up to Twilio's 1,600 characters.
ANY_BODY = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=st.characters(categories=["L", "M", "N", "P", "S", "Z", "Cc", "Cf"])),
    st.sampled_from(["", " ", "\u202e1", "\u200b", "👍🏾", "١", "ＳＴＯＰ", "x" * 1600]),
    st.text(min_size=1500, max_size=1600),
)
WEBHOOK_EXAMPLES = 60  # each one is a few requests through the whole app
_numbers = itertools.count(1)


def _new_number() -> str:
    return f"+3363{next(_numbers):07d}"


@given(ANY_BODY, st.sampled_from(["0", "1", "3", ""]))
def test_the_parser_keeps_any_body_as_written(body: str, media: str) -> None:
    inbound = sms.parse({**sms_form("+33639980102", body), "NumMedia": media})
    assert inbound.address == "tel:+33639980102"
    if body.strip() or media in ("0", ""):
        assert inbound.event == Text(body)
    else:
        assert inbound.event == Media()  # a picture alone: "we can only read text"


REPLIES = st.one_of(
    st.builds(Say, ANY_BODY),
    st.builds(
        Ask,
        ANY_BODY,
        st.lists(st.builds(Option, st.just("k"), ANY_BODY), min_size=1, max_size=3).map(tuple),
    ),
)


@given(st.lists(REPLIES, max_size=4), st.sampled_from(["fr", "ar", "tr"]))
def test_any_reply_renders_as_twiml_twilio_can_read(replies: list, language: str) -> None:
    outcome = Outcome(tuple(replies), language)
    twiml = sms.render(outcome, plain=("fr", "tr"))
    root = ET.fromstring(twiml)  # well-formed, whatever the text held
    messages = root.findall("Message")
    if not replies:
        assert messages == []
        return
    [message] = messages
    # The resident reads the words as written: "<", "&" and quotes are escaped, not lost; only
    # what XML cannot carry at all is left out.
    expected = sms.NOT_XML.sub("", sms.message_body(outcome, ("fr", "tr")) or "")
    assert "".join(message.itertext()) == expected.replace("\r\n", "\n").replace("\r", "\n")


@pytest.fixture(scope="module")
def app_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    # One app for every example (hypothesis runs them inside one test call); each example is a
    # new phone number, so examples do not see each other's sessions. The demo consultation
    # offers all six languages.
    folder: Path = tmp_path_factory.mktemp("sms-properties")
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{folder}/parlons.db",
        held_dir=folder / "held",
        public_url=PUBLIC_URL,
        pseudonym_key="test-pseudonym-key",
        admin_token=ADMIN_TOKEN,
        api_token=BOT_TOKEN,
        twilio_auth_token="test-twilio-auth-token",
    )
    with TestClient(create_app(settings)) as client:
        yield client


@settings(max_examples=WEBHOOK_EXAMPLES)
@given(st.lists(ANY_BODY, min_size=1, max_size=4))
def test_any_text_gets_a_twiml_answer(app_client: TestClient, bodies: list[str]) -> None:
    phone = Phone(app_client, _new_number())
    for body in bodies:
        phone.send(body)  # 200 and TwiML, checked by Phone.send; never a 500


def _respell(word: str, data: st.DataObject) -> str:
    """STOP as a phone may send it: any case, look-alike or full-width letters, invisible
    characters inside, spaces and punctuation around."""
    letters = []
    for c in word:
        c = c.upper() if data.draw(st.booleans()) else c.lower()
        disguise = data.draw(st.sampled_from(["", "", "full-width", "look-alike", "zero-width"]))
        if disguise == "full-width" and "!" <= c <= "~":
            c = chr(ord(c) + 0xFEE0)
        elif disguise == "look-alike":
            c = {"O": "О", "o": "о", "P": "Р", "p": "р", "T": "Т", "S": "Ѕ"}.get(c, c)
        elif disguise == "zero-width":
            c += data.draw(st.sampled_from(["\u200b", "\u200c", "\u2060", "\u00ad", "\u200f"]))
        letters.append(c)
    before = data.draw(st.sampled_from(["", " ", "  ", "\n", "\u202b"]))
    after = data.draw(st.sampled_from(["", " ", ".", "!", " !", "\n"]))
    return before + "".join(letters) + after


@settings(max_examples=WEBHOOK_EXAMPLES)
@given(
    st.lists(st.sampled_from(["Bonjour", "Hello", "Merhaba", "1", "2", "idée", "?"]), max_size=3),
    st.sampled_from(STOP_WORDS),
    st.data(),
)
def test_stop_by_sms_in_any_language_and_spelling_stops_at_once(
    app_client: TestClient, before: list[str], word: str, data: st.DataObject
) -> None:
    phone = Phone(app_client, _new_number())
    for body in before:
        phone.send(body)
    phone.send(_respell(word, data))
    votes = _ballots(app_client)
    # Stopped: nothing more is sent to this number, and a "1" votes for nothing.
    assert phone.send("1") == ""
    assert phone.send("Bonjour") == ""
    assert _ballots(app_client) == votes


def _ballots(client: TestClient) -> int:
    return admin_get(client, "/api/v1/consultations/mulhouse/results")["ballots"]
