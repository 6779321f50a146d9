"""`parlons export DIR`: the results and a Pol.is export, as CSV files, from the
consultation's own database."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot import wiring
from bot.settings import Settings


def add_parser(commands: argparse._SubParsersAction) -> None:
    export = commands.add_parser("export", help="write results and a Pol.is export as CSV")
    export.add_argument("out", type=Path, help="the folder to write into")
    export.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> None:
    sys.exit(asyncio.run(_export(settings, args.out)))


async def _export(settings: Settings, out: Path) -> int:
    async with wiring.consultation_api(settings) as (state, slug):
        files = await state.exports.files(slug)
    for name, text in files.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(f"parlons: {len(files)} files of {slug} written to {out}")
    return 0
