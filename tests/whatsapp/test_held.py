"""A WhatsApp message a fault held is kept whole: taken again later, it is the same turn (a
tapped button's payload, a voice note's recording and length, the kind of message and the
device the limits count)."""

from __future__ import annotations

from pathlib import Path

from bot.turns.held_messages import HeldMessages
from channels.base import BUTTON, TEXT, Inbound
from channels.whatsapp import parse
from dialogs import Press, Text
from tests.whatsapp.helpers import whatsapp_form


def test_a_held_whatsapp_message_comes_back_as_it_came(tmp_path: Path) -> None:
    held = HeldMessages(tmp_path, "test-contact-key")
    tapped = parse(whatsapp_form("+905321234567", ButtonPayload="12:agree", Body="👍")).inbound
    voice = Inbound(
        "whatsapp",
        "MM1",
        "tel:+33639980601",
        Text("", audio="https://api.twilio.com/x", audio_seconds=42.0),
    )
    kiosk = Inbound("kiosk", "k1", "kiosk:abc", Press("agree", 3), device="kiosk-link:9")
    for inbound in (tapped, voice, kiosk):
        held.keep("ref", inbound)
    back = [inbound for _, inbound in held.messages("ref")]
    assert back == [tapped, voice, kiosk]
    assert [b.kind for b in back] == [BUTTON, TEXT, BUTTON]
    assert back[0].event == Press("agree", 12) and back[0].address == "tel:+905321234567"
    assert "905321234567" not in "".join(p.read_text() for p in (tmp_path / "ref").glob("*.json"))
