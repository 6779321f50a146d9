"""The `parlons` command."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import uvicorn

from bot.app import create_app
from bot.chat import main as chat_main
from bot.settings import Settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="parlons", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the webhooks and the consultation API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)

    chat = commands.add_parser("chat", help="text the consultation from this terminal")
    chat.add_argument(
        "--keep",
        action="store_true",
        help="record the votes in the configured database (default: a throwaway one)",
    )

    broadcast = commands.add_parser(
        "broadcast", help="send a message to every resident who asked to hear back"
    )
    broadcast.add_argument("file", type=Path, help="YAML: name, and the message per language")
    broadcast.add_argument(
        "--dry-run", action="store_true", help="count the messages and SMS segments, send none"
    )

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if args.command == "serve":
        _serve(Settings(), args.host, args.port)
    elif args.command == "chat":
        logging.getLogger().setLevel(logging.WARNING)  # the conversation, not the logs
        chat_main(Settings(), args.keep)
    elif args.command == "broadcast":
        from bot.broadcast_command import main as broadcast_main

        broadcast_main(Settings(), args.file, args.dry_run)


def _serve(settings: Settings, host: str, port: int) -> None:
    print(f"Parlons: consultation from {settings.consultation}")
    print(f"Parlons: serving on http://{host}:{port} (API docs at /docs)")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


if __name__ == "__main__":
    main()
