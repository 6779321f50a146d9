"""`parlons broadcast FILE [--dry-run]`: one message, per language, to every resident who
asked to hear back (bot/outreach/broadcast.py); stopped cleanly by Ctrl-C or SIGTERM, at
once even while it waits (the quiet hours, the pace, a retry's back-off), with status 0."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bot.outreach.broadcast import Broadcast, read_broadcast
from bot.settings import Settings
from bot.wiring.outreach import outreach
from bot.wiring.whatsapp import whatsapp_outside


def add_parser(commands: argparse._SubParsersAction) -> None:
    broadcast = commands.add_parser(
        "broadcast", help="send a message to every resident who asked to hear back"
    )
    broadcast.add_argument("file", type=Path, help="YAML: name, and the message per language")
    broadcast.add_argument(
        "--dry-run", action="store_true", help="count the messages and SMS segments, send none"
    )
    broadcast.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> None:
    asyncio.run(broadcast(settings, args.file, args.dry_run))


async def broadcast(settings: Settings, path: Path, dry_run: bool) -> None:
    spec = read_broadcast(path)
    async with outreach(settings) as (parlons, contacts, ledger):
        default = parlons.runtime.consultation.default_language
        outside = whatsapp_outside(parlons, "broadcast")  # WhatsApp: by template
        job = Broadcast(spec, contacts, ledger, default, parlons.runtime.questions, outside)
        plan = await job.plan()
        print(f'Broadcast "{spec.name}"\n{plan.table()}')
        if dry_run:
            return
        summary = await job.run()  # SIGINT, SIGTERM: stopped at once (bot/wiring/outreach.py)
        print(f"Done: {summary.line()}")
