"""`parlons mediator add --centre CODE`: a secret link that makes its opener the mediator of a
centre's shared tablet."""

from __future__ import annotations

import argparse

from bot.commands.centre import with_centres
from bot.records.centres import Centres
from bot.settings import Settings


def add_parser(commands: argparse._SubParsersAction) -> None:
    mediator = commands.add_parser("mediator", help="secret links for a centre's shared tablet")
    actions = mediator.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="print a new mediator link for a centre")
    add.add_argument("--centre", required=True, help="the centre's code")
    mediator.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> None:
    async def add(centres: Centres) -> None:
        code = await centres.add_mediator_link(args.centre)
        print(f"Mediator link for {args.centre} (keep it secret): {centres.deep_link(code)}")

    with_centres(settings, add)
