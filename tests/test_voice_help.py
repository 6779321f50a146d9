"""What a caller hears when they need help or get something wrong: phone words ("press",
"say", "call"), never the SMS ones ("reply", "send", "write"). Played through the Twilio Voice
webhook, every TwiML answer checked as Twilio reads it (tests/twilio_voice.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import count

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import Settings
from tests.conftest import fake_clock
from tests.twilio_voice import Caller

_numbers = count(1)


@dataclass(frozen=True)
class Words:
    menu_key: str  # the language menu's key
    help: str  # words said to the phone
    erase: str
    press: str  # what our own lines must say instead
    say: str
    sms_words: str  # what they must not say: a pattern
    call_again: str


LANGUAGES = {
    "fr": Words("1", "aide", "supprimer", "tapez", "dites", r"répond|envoy|écri", "appelez"),
    "en": Words(
        "2", "help", "erase", "press", "say", r"\breply|\bsend|\bwrite|\btext", "call us again"
    ),
}


def caller_in(client: TestClient, words: Words) -> tuple[Caller, list[str]]:
    caller = Caller(client, f"+336399805{next(_numbers):02d}")
    caller.call()
    welcome = caller.press(words.menu_key)
    return caller, [welcome.said[0].text]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_help_a_caller_hears_never_tells_them_to_reply_or_send(
    client: TestClient, language: str
) -> None:
    words = LANGUAGES[language]
    caller, heard = caller_in(client, words)
    helped = caller.say(words.help).said[0].text
    caller.press("7")
    caller.press("7")
    full_help = caller.press("7").said[0].text  # three misunderstandings: the fuller help
    too_long = caller.say("x " * 600).said[0].text  # longer than a call's 1000 characters
    assert caller.next_url  # asked again, not hung up on
    for _ in range(3):
        caller.press("3")
    caller.press("2")  # no idea of my own
    every_one = caller.press("3")  # the last proposal: every one heard, may we call back?
    thanks = caller.press("1")
    heard += [helped, full_help, too_long, every_one.said[1].text, thanks.said[0].text]

    erasing, erased_lines = caller_in(client, words)
    erasing.say(words.erase)
    erased = erasing.press("1")
    stopping, stop_lines = caller_in(client, words)
    stopped = stopping.say("stop")
    heard += erased_lines + stop_lines + [erased.said[0].text, stopped.said[0].text]

    assert not [line for line in heard if re.search(words.sms_words, line, re.IGNORECASE)]
    assert words.press in helped and words.say in helped.lower()
    assert words.say in stopped.text.lower() and stopped.hangs_up


@pytest.fixture
def limited(settings: Settings) -> Iterator[TestClient]:
    """A line where a caller may press keys 3 times a minute (the call itself is not a key)."""
    settings.messages_per_minute = {"voice:button": 3}
    with TestClient(create_app(settings)) as c:
        fake_clock(c)
        yield c


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_caller_over_the_message_limit_is_told_to_call_again_not_to_send(
    limited: TestClient, language: str
) -> None:
    words = LANGUAGES[language]
    caller, _ = caller_in(limited, words)  # the call, then a key: the language
    caller.press("3")
    assert caller.press("3").said  # the 3rd key: a proposal, as usual
    over = caller.press("3")

    [slow_down] = [s.text for s in over.said]
    assert not re.search(words.sms_words, slow_down, re.IGNORECASE)
    assert words.call_again in slow_down
    assert over.hangs_up

    # Calling back at once: welcomed back, but the next key is still over the limit. Told
    # again (a call costs the same with or without it), never a silent hang-up.
    caller.hang_up()
    again = Caller(limited, caller.number)
    assert again.call().said
    told = again.press("3")
    assert [s.text for s in told.said] == [slow_down]
    assert told.hangs_up
