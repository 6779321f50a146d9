"""`parlons report`: the synthesis report as one HTML file (charts inline), and with `--pdf`
the same page printed by headless Chromium, in the default language or any offered one."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot import wiring
from bot.records.centres import Centres
from bot.report import content, document, pdf
from bot.settings import Settings


def add_parser(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser("report", help="write the synthesis report (HTML, PDF)")
    command.add_argument(
        "--html", type=Path, default=Path("report.html"), help="where (report.html)"
    )
    command.add_argument("--pdf", type=Path, help="also print it as a PDF there (Chromium)")
    command.add_argument("--language", help="one of the consultation's (its default)")
    command.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> None:
    sys.exit(asyncio.run(_report(settings, args.html, args.pdf, args.language)))


async def _report(settings: Settings, html: Path, to_pdf: Path | None, language: str | None) -> int:
    names: dict[str, str] = {}

    async def centre_names(centres: Centres) -> None:
        names.update({c.code: c.name for c in await centres.listing()})

    await wiring.with_centres(settings, centre_names)
    async with wiring.consultation_api(settings) as (state, slug):
        found = await content.from_state(state, slug, names)
    try:
        page = document.render(found, language)
    except ValueError as wrong:
        print(f"parlons report: {wrong}", file=sys.stderr)
        return 2
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text(page, encoding="utf-8")
    print(f"parlons report: {html}")
    if to_pdf is not None:
        try:
            await asyncio.to_thread(pdf.print_pdf, html, to_pdf)
        except pdf.NoChromium as missing:
            print(f"parlons report: {missing}", file=sys.stderr)
            return 3
        print(f"parlons report: {to_pdf}")
    return 0
