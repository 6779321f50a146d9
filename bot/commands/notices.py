"""`parlons notices [--every SECONDS]`: tell the authors who asked to hear back what the
moderators decided about their idea (bot/outreach/idea_notices.py)."""

from __future__ import annotations

import argparse
import asyncio

from bot import wiring
from bot.outreach.idea_notices import IdeaNotices
from bot.settings import Settings


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
        pass  # between two runs: nothing half done (each notice is claimed before it leaves)


async def notices(settings: Settings, every: float | None) -> None:
    async with wiring.outreach(settings) as (parlons, contacts, ledger):
        job = IdeaNotices(parlons.client, contacts, ledger, ledger.tables)
        while True:
            told = await job.run_once()
            print("Idea notices:", ", ".join(f"{k} {n}" for k, n in sorted(told.items())) or "none")
            if every is None:
                return
            await asyncio.sleep(every)
