"""The `parlons` command: its parser, built from each subcommand's own (bot/commands/)."""

from __future__ import annotations

import argparse
import logging

from bot.commands import COMMANDS
from bot.settings import InsecureSettings, Settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="parlons", description="A citizen consultation by SMS, phone and Telegram."
    )
    subcommands = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_parser(subcommands)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        settings = Settings()
    except InsecureSettings as e:
        parser.exit(2, f"parlons: {e}\n")
    args.run(args, settings)


if __name__ == "__main__":
    main()
