"""`parlons import FILE | --polis DIR`: proposals from a CSV, or a Pol.is conversation, into
the consultation's own database (where the API runs, with its PARLONS_DATABASE_URL), all or
nothing."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from api import polis
from api.errors import ImportRefused
from bot import wiring
from bot.settings import Settings


def add_parser(commands: argparse._SubParsersAction) -> None:
    load = commands.add_parser(
        "import", help="import proposals (CSV) or a Pol.is conversation, all or nothing"
    )
    source = load.add_mutually_exclusive_group(required=True)
    source.add_argument("file", nargs="?", type=Path, help="CSV: key,text,language[,theme,...]")
    source.add_argument("--polis", type=Path, metavar="DIR", help="a Pol.is export folder")
    load.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> None:
    sys.exit(asyncio.run(_import(settings, args.file, args.polis)))


async def _import(settings: Settings, csv_file: Path | None, polis_dir: Path | None) -> int:
    async with wiring.consultation_api(settings) as (state, slug):
        try:
            if polis_dir is not None:
                done = await state.imports.polis(slug, polis.read(polis_dir))
            else:
                assert csv_file is not None
                done = await state.imports.proposals_csv(slug, csv_file.read_text("utf-8-sig"))
        except ImportRefused as e:
            print(f"parlons: nothing imported into {slug}:", file=sys.stderr)
            for problem in e.problems:
                print(f"  line {problem.line}: {problem.reason}", file=sys.stderr)
            return 1
        except polis.PolisFormatError as e:
            print(f"parlons: nothing imported into {slug}:", file=sys.stderr)
            for error in e.errors:
                print(f"  {error}", file=sys.stderr)
            return 1
    print(
        f"parlons: imported into {slug}: {done.proposals} proposals, "
        f"{done.participants} participants, {done.ballots} ballots"
    )
    return 0
