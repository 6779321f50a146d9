"""`parlons outbox [status|dead|retry|held]`: look into the outbox, put dead letters back, and
list the messages a fault held on this host (bot/turns/held_messages.py)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TextIO

from bot import wiring
from bot.outbox.stream import Outbox
from bot.settings import Settings
from bot.turns.held_messages import HeldMessages


def add_parser(commands: argparse._SubParsersAction) -> None:
    box = commands.add_parser(
        "outbox", help="the outbox: status, dead letters, retry them; messages a fault held"
    )
    box.add_argument(
        "action", choices=["status", "dead", "retry", "held"], nargs="?", default="status"
    )
    box.add_argument("ids", nargs="*", help="dead letters to retry (see `parlons outbox dead`)")
    box.add_argument("--all", action="store_true", help="retry every dead letter")
    box.set_defaults(run=run, parser=box)


def run(args: argparse.Namespace, settings: Settings) -> None:
    if args.action == "retry" and not (args.ids or args.all):
        args.parser.error("outbox retry: name the dead letters, or --all")
    asyncio.run(outbox(settings, args.action, args.ids))


async def outbox(settings: Settings, action: str, ids: list[str], out: TextIO = sys.stdout) -> None:
    held = HeldMessages(settings.held_dir, settings.contact_key.get_secret_value())
    if action == "held":
        for held_at, ref, state in held.listing():
            out.write(f"{held_at}  {ref}  {state}\n")
        waiting, set_aside = held.counts()
        out.write(f"{waiting} held, {set_aside} set aside\n")
        return
    if action == "status" and not settings.redis_url:
        out.write("no outbox: embedded mode, the API is written at once\n")
    else:
        await _outbox(settings, action, ids, out)
    if action == "status":
        waiting, set_aside = held.counts()
        out.write(f"held      {waiting}\nset aside {set_aside}\n")


async def _outbox(settings: Settings, action: str, ids: list[str], out: TextIO) -> None:
    redis = wiring.require_redis(settings)
    box = Outbox(redis, settings.redis_prefix)
    try:
        if action == "status":
            s = await box.status()
            out.write(f"waiting {s.waiting}\npending {s.pending}\ndead    {s.dead}\n")
            out.write(f"workers {', '.join(s.workers) or '-'}\n")
        elif action == "dead":
            letters = await box.dead_letters()
            for d in letters:
                out.write(f"{d.id}  {d.failed_at}  {d.kind} x{d.entries}  {d.error}\n")
            out.write(f"{len(letters)} dead letters\n")
        elif action == "retry":
            moved = await box.retry(ids or None)
            out.write(f"{moved} dead letters put back in the outbox\n")
    finally:
        await redis.aclose()
