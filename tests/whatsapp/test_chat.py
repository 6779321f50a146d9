"""`parlons chat --channel whatsapp`: what a resident sees on WhatsApp, buttons included."""

from __future__ import annotations

import io

from bot.commands.chat import chat
from bot.settings import Settings


async def test_chat_shows_the_buttons_and_a_bracketed_number_taps_one(settings: Settings) -> None:
    typed = io.StringIO("Bonjour\n[2]\n/voice 15\nlangue\n")
    out = io.StringIO()
    await chat(settings, False, typed, out, "whatsapp")
    shown = out.getvalue()
    assert "Proposition 1 : Il faut renforcer" in shown
    assert "buttons: [👍 D'accord]  [👎 Pas d'accord]  [⏭ Passer]" in shown
    assert "Proposition 2 :" in shown  # [2] voted "disagree" on the first
    assert "Pour répondre, touchez un bouton" in shown  # a voice message with a vote due
    assert "buttons: [Français]  [English]" in shown  # two languages: two buttons
