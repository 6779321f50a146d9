"""`parlons demo`: fill the bundled demo consultation with generated residents (marked as a
demo everywhere, counted in its results), so that `parlons report` has something to show.
Refused on any consultation whose file does not say `demo: true`."""

from __future__ import annotations

import argparse
import asyncio
import sys

from api.errors import ServiceError
from bot import wiring
from bot.report import demo
from bot.settings import Settings


def add_parser(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser(
        "demo", help="fill the demo consultation with generated residents (never a real one)"
    )
    command.add_argument("--residents", type=int, default=600, help="how many (600)")
    command.add_argument("--seed", type=int, default=1, help="the same seed adds nobody twice")
    command.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> None:
    sys.exit(asyncio.run(_demo(settings, args.residents, args.seed)))


async def _demo(settings: Settings, count: int, seed: int) -> int:
    async with wiring.consultation_api(settings) as (state, slug):
        try:
            done = await demo.fill(state, slug, count, seed)
        except ServiceError as refused:
            print(f"parlons demo: {refused}", file=sys.stderr)
            return 2
    print(f"parlons demo: {done}")
    return 0
