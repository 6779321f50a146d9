"""The `parlons` command."""

from __future__ import annotations

import argparse
import logging

import uvicorn

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

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if args.command == "serve":
        _serve(Settings(), args.host, args.port)
    elif args.command == "chat":
        logging.getLogger().setLevel(logging.WARNING)  # the conversation, not the logs
        chat_main(Settings(), args.keep)


def _serve(settings: Settings, host: str, port: int) -> None:
    print(f"Parlons: consultation from {settings.consultation}")
    print(f"Parlons: serving on http://{host}:{port} (API docs at /docs)")
    run_server("bot.app:create_app", host, port)


def run_server(factory: str, host: str, port: int, workers: int = 1) -> None:
    """Serve the ASGI app `factory` builds; bench/floor.py serves its floor through this
    very call, so the floor and Parlons always run on the same server settings."""
    uvicorn.run(factory, factory=True, host=host, port=port, workers=workers, log_level="info")


if __name__ == "__main__":
    main()
