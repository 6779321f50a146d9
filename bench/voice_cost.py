"""What a ten-vote phone call costs in spoken seconds, per language, on the demo consultation.

`python -m bench.voice_cost` plays a caller who picks their language on the menu, declines
the offer to say an idea and the optional questions, and gives ten votes by keypad, through
the same runtime and TwiML rendering as Twilio gets. It counts the words every <Say> speaks
and turns them into seconds at a stated speaking rate: text-to-speech voices read about
150 words a minute at their default rate. A caller who presses a key early cuts a sentence
short, so these are the seconds of a caller who listens to everything.
"""

from __future__ import annotations

import asyncio
import uuid
import xml.etree.ElementTree as ET

from bench.demo import demo_parlons
from bot import wiring
from channels import voice
from dialogs import Ask, Reply

WORDS_PER_MINUTE = 150
VOTES = 10


async def call_words(parlons: wiring.Parlons, language: str) -> tuple[int, int]:
    """The turns of the call and the words said in them."""
    default_language = parlons.consultation.default_language
    renderer = voice.VoiceRenderer(parlons.voices, parlons.settings.public_url, default_language)
    call = {"CallSid": f"CA{uuid.uuid4().hex}", "From": f"+3379{uuid.uuid4().int % 10**8:08d}"}
    turns = words = 0

    async def turn(answer: str | None) -> Reply | None:
        nonlocal turns, words
        turns += 1
        form = call if answer is None else {**call, "Digits": answer}
        outcome = await parlons.runtime.handle(voice.parse(form, str(turns) if answer else "call"))
        twiml = ET.fromstring(renderer.render(outcome, turns + 1))
        words += sum(len((say.text or "").split()) for say in twiml.iter("Say"))
        return outcome.replies[-1] if outcome.replies else None

    await turn(None)  # the language menu
    last = await turn(str(parlons.consultation.languages.index(language) + 1))
    votes = 0
    while votes < VOTES:
        keys = {o.key for o in last.options} if isinstance(last, Ask) else set()
        if "agree" in keys:
            last = await turn(str(1 + votes % 3))
            votes += 1
        else:  # an idea, the profile, hearing back: the last option declines each
            last = await turn(str(last.numbered()[-1][0]))
    await parlons.runtime.handle(voice.parse(call, "end"))
    return turns, words


async def main() -> None:
    async with demo_parlons() as parlons:
        print(
            f"Spoken time of a call: the language menu, then {VOTES} votes by keypad "
            f"(demo consultation, {WORDS_PER_MINUTE} words a minute)"
        )
        print()
        print("| language | turns | words said | spoken seconds | seconds per vote |")
        print("|---|---|---|---|---|")
        for language in parlons.consultation.languages:
            turns, words = await call_words(parlons, language)
            seconds = words * 60 / WORDS_PER_MINUTE
            print(f"| {language} | {turns} | {words} | {seconds:.0f} | {seconds / VOTES:.1f} |")


if __name__ == "__main__":
    asyncio.run(main())
