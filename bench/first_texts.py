"""A newcomer's first text, when it is not a greeting: answered in the resident's language, or
the language menu, or another language; and what that first reply costs by SMS.

`python -m bench.first_texts` sends each text of bench/data/first_texts.tsv (our own set of
first texts written as residents text them: short, no accents, abbreviations) from a fresh
number through the runtime and the SMS rendering, on the demo consultation (six languages).
A few texts that carry no language ("ok", "1", one Latin word) show what they get.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter, defaultdict
from pathlib import Path

from bench.demo import demo_parlons
from bot.wiring import Parlons
from channels import sms
from channels.sms_cost import cost
from dialogs import Ask

DATA = Path(__file__).parent / "data" / "first_texts.tsv"
NO_LANGUAGE = ("ok", "1", "👍", "taxi", "super", "ok merci")


def first_texts() -> list[tuple[str, str]]:
    lines = DATA.read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines if line and not line.startswith("#")]
    return [(text, language) for text, language in rows[1:]]


def is_menu(replies: tuple) -> bool:
    return any(isinstance(r, Ask) and any(o.language for o in r.options) for r in replies)


async def first_reply(
    parlons: Parlons, text: str, latin_menu: bool = True
) -> tuple[str, bool, str]:
    """The language of the first reply, whether it is the menu, and its SMS body."""
    number = f"+3378{uuid.uuid4().int % 10**8:08d}"
    form = {"MessageSid": f"SM{uuid.uuid4().hex}", "From": number, "Body": text}
    outcome = await parlons.runtime.handle(sms.parse(form))
    plain = parlons.settings.sms_plain_languages
    body = sms.message_body(outcome, plain, latin_menu=latin_menu) or ""
    return outcome.language, is_menu(outcome.replies), body


async def main() -> None:
    async with demo_parlons() as parlons:
        tally: dict[str, Counter] = defaultdict(Counter)
        segments: dict[str, list[int]] = defaultdict(list)
        for text, language in first_texts():
            answered_in, menu, body = await first_reply(parlons, text)
            outcome = "menu" if menu else "own" if answered_in == language else "other"
            tally[language][outcome] += 1
            segments[language].append(cost(body).segments)
        print("First texts that are not greetings (bench/data/first_texts.tsv), demo consultation")
        print()
        print(
            "| language | texts | in their language | language menu | another language "
            "| segments of the first reply (mean, max) |"
        )
        print("|---|---|---|---|---|---|")
        for language, counts in tally.items():
            n = sum(counts.values())
            seg = segments[language]
            print(
                f"| {language} | {n} | {counts['own'] / n:.0%} | {counts['menu'] / n:.0%} "
                f"| {counts['other'] / n:.0%} | {sum(seg) / n:.1f}, {max(seg)} |"
            )
        print()
        print("| a first text with no language | answered in | menu | SMS segments, encoding |")
        print("|---|---|---|---|")
        for text in NO_LANGUAGE:
            answered_in, menu, body = await first_reply(parlons, text)
            c = cost(body)
            print(
                f"| {text} | {answered_in} | {'yes' if menu else 'no'} "
                f"| {c.segments}, {c.encoding} |"
            )
        print()
        print(
            "The language menu by SMS, after a text whose language cannot be told "
            "(the welcome and the menu in one message):"
        )
        print()
        print("| the menu's language names | SMS segments, encoding |")
        print("|---|---|")
        for latin in (False, True):
            _, _, body = await first_reply(parlons, "ok merci", latin)
            c = cost(body)
            form = "in Latin letters (GSM-7 form)" if latin else "each in its own letters"
            print(f"| {form} | {c.segments}, {c.encoding} |")


if __name__ == "__main__":
    asyncio.run(main())
