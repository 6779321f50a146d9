"""`parlons notices [--every SECONDS]`: tell the authors who asked to hear back what the
moderators decided about their idea (bot/outreach/idea_notices.py)."""

from __future__ import annotations

import argparse
import asyncio

from bot.outreach.idea_notices import IdeaNotices
from bot.settings import Settings
from bot.wiring.outreach import outreach
from bot.wiring.whatsapp import whatsapp_outside


def add_parser(commands: argparse._SubParsersAction) -> None:
    notices = commands.add_parser(
        "notices", help="tell authors who asked to hear back what became of their idea"
    )
    notices.add_argument(
        "--every", type=float, metavar="SECONDS", help="keep going, looking again this often"
    )
    notices.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> None:
    try:
        asyncio.run(notices(settings, args.every))
    except KeyboardInterrupt:
        pass  # Ctrl-C while starting, before the signal handlers: nothing sent yet


async def notices(settings: Settings, every: float | None) -> None:
    async with outreach(settings) as (parlons, contacts, ledger):
        outside = whatsapp_outside(parlons, "idea_outcome")  # WhatsApp: by template
        job = IdeaNotices(parlons.client, contacts, ledger, ledger.tables, outside)
        while True:
            told = await job.run_once()
            said = ", ".join(f"{k} {n}" for k, n in sorted(told.items())) or "none"
            print("Idea notices:", said, flush=True)  # a log line now, not when it ends
            # SIGINT, SIGTERM end the wait at once, with status 0 (bot/wiring/outreach.py).
            if every is None or not await ledger.pause(every):
                return
