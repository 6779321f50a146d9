"""What a ten-vote SMS session costs, per language, on the demo consultation.

`python -m bench.sms_cost` plays a resident who greets in their language, declines the offer
to write an idea, skips the optional profile and gives ten votes, through the same runtime
and SMS rendering as Twilio gets, and counts the segments each reply costs.
"""

from __future__ import annotations

import asyncio
import uuid

from bench.demo import demo_parlons
from bot import wiring
from channels import sms
from channels.sms_cost import GSM7, cost
from dialogs import Ask, Reply

GREETINGS = {
    "fr": "Bonjour",
    "en": "Hello",
    "de": "Hallo",
    "ar": "السلام عليكم",
    "tr": "Merhaba",
    "pt": "Olá",
}
VOTES = 10


async def session_cost(parlons: wiring.Parlons, language: str) -> list[str]:
    number = f"+3379{uuid.uuid4().int % 10**8:08d}"
    bodies: list[str] = []

    async def send(text: str) -> Reply | None:
        form = {"MessageSid": f"SM{uuid.uuid4().hex}", "From": number, "Body": text}
        outcome = await parlons.runtime.handle(sms.parse(form))
        bodies.append(sms.message_body(outcome, parlons.settings.sms_plain_languages) or "")
        return outcome.replies[-1] if outcome.replies else None

    last = await send(GREETINGS[language])
    votes = 0
    while votes < VOTES:
        keys = {o.key for o in last.options} if isinstance(last, Ask) else set()
        if "later" in keys:
            last = await send("2")  # no idea of my own today
        elif "skip" in keys and "agree" not in keys:
            last = await send("0")  # the profile is optional
        else:
            last = await send(str(1 + votes % 3))
            votes += 1
    return bodies


async def main() -> None:
    async with demo_parlons() as parlons:
        print(f"SMS cost of a session: a greeting, then {VOTES} votes (demo consultation)")
        print()
        print("| language | replies | segments | segments per vote | fit one segment | encoding |")
        print("|---|---|---|---|---|---|")
        for language in GREETINGS:
            bodies = await session_cost(parlons, language)
            costs = [cost(b) for b in bodies if b]
            segments = sum(c.segments for c in costs)
            single = sum(c.segments == 1 for c in costs) / len(costs)
            gsm = sum(c.encoding == GSM7 for c in costs)
            print(
                f"| {language} | {len(costs)} | {segments} | {segments / VOTES:.1f} "
                f"| {single:.0%} | {gsm}/{len(costs)} GSM-7 |"
            )


if __name__ == "__main__":
    asyncio.run(main())
