"""Dialog turns per second through the engine alone: no HTTP, no database, no store.

`python -m bench.engine` plays the load benchmark's residents (bench/residents.py: greet, ten
votes, an idea, the profile skipped) through `dialogs.step` on the demo consultation, the
queue of proposals topped up the way the runtime does it, and prints turns per second: the
pure step, then with the session read from and written to bytes as a store keeps it.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from api.loader import read_consultation
from bench.residents import conversation
from bot.runtime import QUEUE_LOW, QUEUE_SIZE
from bot.settings import DEMO_CONSULTATION
from dialogs import Context, District, ProposalView, Session, Text, step

RESIDENTS = 400


def demo_context() -> Context:
    spec = read_consultation(DEMO_CONSULTATION)
    details = spec.details()
    proposals = {
        i: ProposalView(i, p.language, p.text, p.translations)
        for i, p in enumerate(spec.proposals, start=1)
    }
    return Context(
        question=spec.question,
        languages=tuple(spec.languages),
        default_language=spec.default_language,
        proposals=proposals,
        now=datetime(2026, 11, 26, 12, tzinfo=UTC),
        timezone=spec.timezone,
        help_contact=details.get("help", {}),
        next_steps=details.get("next_steps", {}),
        safeguarding=details.get("safeguarding", {}),
        districts=tuple(District(d["key"], d["name"]) for d in details.get("districts", [])),
        idea_max_length=details.get("idea_max_length", 200),
    )


def top_up(session: Session, ids: list[int]) -> None:
    """What the runtime asks the API for: unseen proposals, when the queue runs low."""
    if len(session.queue) >= QUEUE_LOW:
        return
    held = set(session.wanted_ids())
    fresh = [i for i in ids if i not in held][: QUEUE_SIZE - len(session.queue)]
    session.queue.extend(fresh)


def play(ctx: Context, stored: bool) -> tuple[int, float]:
    """Every resident's whole conversation; the turns taken and the seconds they took."""
    ids = sorted(ctx.proposals)
    turns = 0
    started = time.perf_counter()
    for resident in range(RESIDENTS):
        session, raw = Session(), b""
        for body in conversation(resident):
            if stored and raw:
                session = Session.from_bytes(raw)
            top_up(session, ids)
            session = step(session, Text(body), ctx).session
            if stored:
                raw = session.to_bytes()
            turns += 1
            ids.append(ids.pop(0))  # others vote too: the least-voted proposal changes
    return turns, time.perf_counter() - started


def main() -> None:
    ctx = demo_context()
    play(ctx, stored=False)  # warm: catalogs loaded, caches filled
    print("| what | turns | turns/s | µs a turn |")
    print("|---|---|---|---|")
    for name, stored in (("dialogs.step", False), ("step + session from/to bytes", True)):
        turns, seconds = min((play(ctx, stored) for _ in range(3)), key=lambda r: r[1])
        print(f"| {name} | {turns} | {turns / seconds:,.0f} | {1e6 * seconds / turns:.1f} |")


if __name__ == "__main__":
    main()
