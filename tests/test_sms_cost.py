"""SMS cost: our own French words must stay within GSM-7, and segments are counted right."""

from __future__ import annotations

from importlib.resources import files

import pytest
from babel.messages.pofile import read_po

from channels.sms_cost import GSM7, UCS2, cost, non_gsm7, to_gsm7

GSM7_LANGUAGES = ["fr", "en", "de"]  # as written
PLAIN_LANGUAGES = ["pt", "tr"]  # once the letters GSM-7 lacks are made plain


def catalog_entries(language: str) -> list[tuple[str, str]]:
    path = files("locales") / language / "LC_MESSAGES" / "parlons.po"
    with path.open("rb") as f:
        catalog = read_po(f)
    entries = []
    for message in catalog:
        # Keywords are read, never sent; "spoken" words are said on the phone, never sent;
        # the "report"'s are printed (bot/report/words.py), never sent.
        if not message.id or message.context in ("keywords", "spoken", "report"):
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        entries += [(str(message.id), s) for s in strings]
    return entries


@pytest.mark.parametrize("language", GSM7_LANGUAGES)
def test_every_reply_we_write_is_gsm7(language: str) -> None:
    costly = {msgid: non_gsm7(text) for msgid, text in catalog_entries(language) if non_gsm7(text)}
    assert costly == {}, f"non-GSM-7 characters in our {language} words: {costly}"


@pytest.mark.parametrize("language", PLAIN_LANGUAGES)
def test_every_reply_made_plain_is_gsm7(language: str) -> None:
    costly = {
        msgid: non_gsm7(to_gsm7(text))
        for msgid, text in catalog_entries(language)
        if non_gsm7(to_gsm7(text))
    }
    assert costly == {}, f"letters without a plain form in our {language} words: {costly}"


def test_plain_letters_keep_what_gsm7_has() -> None:
    assert to_gsm7("Ça coûte cher ? L’école, œuvre") == "Ça coute cher ? L'école, oeuvre"
    assert to_gsm7("Şehir için güzel, Türkçe ı") == "Sehir icin güzel, Türkce i"
    assert to_gsm7("Não é possível, língua") == "Nao é possivel, lingua"
    assert to_gsm7("مرحبا 👍") == "مرحبا 👍"  # nothing plain to replace it with


def test_french_conversation_replies_are_gsm7(client, phone) -> None:  # noqa: ANN001
    # The whole SMS, our words and the (GSM-7) test proposals: one stray character would
    # double the price of every message.
    for text in ["Bonjour", "1", "aide", "xyz", "2", "3", "STOP"]:
        reply = phone.send(text)
        assert cost(reply).encoding == GSM7, (text, non_gsm7(reply))


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        ("oui", GSM7, 1),
        ("a" * 160, GSM7, 1),
        ("a" * 161, GSM7, 2),
        ("€" * 80, GSM7, 1),  # an extension character takes two septets
        ("€" * 81, GSM7, 2),
        ("Ça coûte cher ?", UCS2, 1),  # û
        ("ç" * 70, UCS2, 1),
        ("ç" * 71, UCS2, 2),
        ("l’école", UCS2, 1),  # the typographic apostrophe
        ("é" * 306, GSM7, 2),
    ],
)
def test_cost(text: str, encoding: str, segments: int) -> None:
    measured = cost(text)
    assert (measured.encoding, measured.segments) == (encoding, segments)
