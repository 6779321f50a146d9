"""`parlons centre add|list|revoke`: social centres, the Telegram links they hand out, and how
many residents each link brought."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable

from bot import wiring
from bot.records.centres import MEDIATOR, CentreError, Centres, CentreView
from bot.settings import Settings


def add_parser(commands: argparse._SubParsersAction) -> None:
    centre = commands.add_parser(
        "centre", aliases=["centres"], help="social centres and the Telegram links they hand out"
    )
    actions = centre.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="add a centre and print its public link")
    add.add_argument("name", help='e.g. "Centre social Bourtzwiller"')
    add.add_argument("--code", help="the link's code (default: from the name)")
    actions.add_parser("list", help="every centre, its links, and the residents each brought")
    revoke = actions.add_parser("revoke", help="a link credits no one from now on")
    revoke.add_argument("code")
    centre.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> None:
    with_centres(settings, lambda centres: _centre(args, centres))


def with_centres(settings: Settings, act: Callable[[Centres], Awaitable[None]]) -> None:
    """Run `act` on the centres of the bot's own tables; a refusal is said, not raised."""
    logging.getLogger().setLevel(logging.WARNING)
    try:
        asyncio.run(wiring.with_centres(settings, act))
    except CentreError as error:
        sys.exit(f"parlons: {error}")


async def _centre(args: argparse.Namespace, centres: Centres) -> None:
    if args.action == "add":
        added = await centres.add(args.name, args.code)
        print(f"{added.name} ({added.code}): {centres.deep_link(added.code)}")
    elif args.action == "revoke":
        await centres.revoke(args.code)
        print(f"Revoked: {args.code}")
    else:
        for view in await centres.listing():
            _print(view, centres)


def _print(view: CentreView, centres: Centres) -> None:
    print(f"{view.name} ({view.code}): {_residents(view.brought)}")
    for link in view.links:
        state = f"revoked {link.revoked_at:%Y-%m-%d}" if link.revoked_at else "active"
        # A mediator link is a secret: the list shows whose it is, not the link itself.
        shown = link.code if link.kind == MEDIATOR else centres.deep_link(link.code)
        print(f"  {link.kind:<8}  {_residents(link.brought):<12}  {state:<18}  {shown}")


def _residents(count: int) -> str:
    return f"{count} resident" if count == 1 else f"{count} residents"
