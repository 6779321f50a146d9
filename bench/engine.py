"""Dialog turns per second through the engine alone: no HTTP, no database, no store.

`python -m bench.engine` plays the load benchmark's residents (bench/residents.py: greet, ten
votes, an idea, the optional questions skipped) through `dialogs.step` on the demo consultation, the
queue of proposals topped up the way the runtime does it, and prints turns per second: the
pure step, then with the session read from and written to bytes as a store keeps it.
"""

from __future__ import annotations

import time

from bench.residents import conversation, demo_context, top_up
from dialogs import Context, Session, Text, step

RESIDENTS = 400


def play(ctx: Context, stored: bool) -> tuple[int, float]:
    """Every resident's whole conversation; the turns taken and the seconds they took."""
    ids = sorted(ctx.proposals)
    turns = 0
    started = time.perf_counter()
    for resident in range(RESIDENTS):
        session, raw = Session(), b""
        for message in conversation(resident):
            if stored and raw:
                session = Session.from_bytes(raw)
            top_up(session, ids)
            session = step(session, Text(message.body), ctx).session
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
