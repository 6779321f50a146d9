"""`parlons purge`: after the consultation, delete what could name or record a resident
(bot/ops/purge.py)."""

from __future__ import annotations

import argparse
import asyncio
from datetime import datetime

from bot.ops.purge import Purged, purge
from bot.settings import Settings


def add_parser(commands: argparse._SubParsersAction) -> None:
    commands.add_parser(
        "purge", help="after the consultation: delete sessions, addresses, dead letters, recordings"
    ).set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> None:
    print(purge_report(asyncio.run(purge(settings))))


def purge_report(done: Purged | datetime) -> str:
    if isinstance(done, datetime):
        return f"parlons purge: nothing deleted before {done:%Y-%m-%d %H:%M} UTC"
    recordings = "left to the API's own operator" if done.recordings is None else done.recordings
    return (
        f"parlons purge: deleted {done.sessions} session keys, {done.contacts} contact "
        f"addresses, {done.dead_letters} dead letters, {done.held} held messages; "
        f"recordings: {recordings} (deleted at Twilio: {done.at_twilio})"
    )
