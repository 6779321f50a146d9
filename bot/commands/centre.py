"""`parlons centre add|list|revoke` and `parlons mediator add`: the links social centres hand
out, and how many residents each one brought."""

from __future__ import annotations

import argparse
import asyncio
import sys

from api import db
from bot.centres import MEDIATOR, CentreError, Centres, CentreView
from bot.services import BOT_MIGRATIONS
from bot.settings import Settings


def add_commands(commands: argparse._SubParsersAction) -> None:
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

    mediator = commands.add_parser("mediator", help="secret links for a centre's shared tablet")
    actions = mediator.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="print a new mediator link for a centre")
    add.add_argument("--centre", required=True, help="the centre's code")


def run(args: argparse.Namespace, settings: Settings) -> None:
    try:
        asyncio.run(_run(args, settings))
    except CentreError as error:
        sys.exit(f"parlons: {error}")


async def _run(args: argparse.Namespace, settings: Settings) -> None:
    engine = db.create_engine(settings.database_url)
    try:
        await db.upgrade(engine, BOT_MIGRATIONS)
        centres = Centres(db.sessionmaker(engine), settings.telegram_bot_username)
        if args.command == "mediator":
            code = await centres.add_mediator_link(args.centre)
            print(f"Mediator link for {args.centre} (keep it secret): {centres.deep_link(code)}")
        elif args.action == "add":
            added = await centres.add(args.name, args.code)
            print(f"{added.name} ({added.code}): {centres.deep_link(added.code)}")
        elif args.action == "revoke":
            await centres.revoke(args.code)
            print(f"Revoked: {args.code}")
        else:
            for view in await centres.listing():
                _print(view, centres)
    finally:
        await engine.dispose()


def _print(view: CentreView, centres: Centres) -> None:
    print(f"{view.name} ({view.code}): {_residents(view.brought)}")
    for link in view.links:
        state = f"revoked {link.revoked_at:%Y-%m-%d}" if link.revoked_at else "active"
        # A mediator link is a secret: the list shows whose it is, not the link itself.
        shown = link.code if link.kind == MEDIATOR else centres.deep_link(link.code)
        print(f"  {link.kind:<8}  {_residents(link.brought):<12}  {state:<18}  {shown}")


def _residents(count: int) -> str:
    return f"{count} resident" if count == 1 else f"{count} residents"
