"""The `parlons` command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
from pathlib import Path

import uvicorn

from bot import centres_cli, telegram_bot, worker
from bot.chat import main as chat_main
from bot.exchange_command import export_main, import_main
from bot.outreach import main_broadcast, main_notices
from bot.purge import purge, purge_report
from bot.settings import InsecureSettings, Settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="parlons", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the webhooks and the consultation API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--telegram-polling",
        action="store_true",
        help="fetch Telegram updates instead of waiting for the webhook (no public URL needed)",
    )
    serve.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    side = serve.add_mutually_exclusive_group()
    side.add_argument("--api-only", action="store_true", help="the consultation API alone")
    side.add_argument(
        "--bot-only", action="store_true", help="the webhooks alone (needs PARLONS_API_URL)"
    )

    chat = commands.add_parser("chat", help="text the consultation from this terminal")
    chat.add_argument(
        "--keep",
        action="store_true",
        help="record the votes in the configured database (default: a throwaway one)",
    )
    chat.add_argument(
        "--channel",
        choices=["sms", "voice"],
        default="sms",
        help="voice: a phone call (prints what would be said; type digits or words)",
    )

    broadcast = commands.add_parser(
        "broadcast", help="send a message to every resident who asked to hear back"
    )
    broadcast.add_argument("file", type=Path, help="YAML: name, and the message per language")
    broadcast.add_argument(
        "--dry-run", action="store_true", help="count the messages and SMS segments, send none"
    )
    load = commands.add_parser(
        "import", help="import proposals (CSV) or a Pol.is conversation, all or nothing"
    )
    source = load.add_mutually_exclusive_group(required=True)
    source.add_argument("file", nargs="?", type=Path, help="CSV: key,text,language[,theme,...]")
    source.add_argument("--polis", type=Path, metavar="DIR", help="a Pol.is export folder")
    export = commands.add_parser("export", help="write results and a Pol.is export as CSV")
    export.add_argument("out", type=Path, help="the folder to write into")

    work = commands.add_parser("worker", help="post the outbox to the API (Redis mode)")
    work.add_argument("--batch", type=int, default=None, help="ballots per post (max 500)")

    box = commands.add_parser(
        "outbox", help="the outbox: status, dead letters, retry them; messages a fault held"
    )
    box.add_argument(
        "action", choices=["status", "dead", "retry", "held"], nargs="?", default="status"
    )
    box.add_argument("ids", nargs="*", help="dead letters to retry (see `parlons outbox dead`)")
    box.add_argument("--all", action="store_true", help="retry every dead letter")

    notices = commands.add_parser(
        "notices", help="tell authors who asked to hear back what became of their idea"
    )
    notices.add_argument(
        "--every", type=float, metavar="SECONDS", help="keep going, looking again this often"
    )

    centres_cli.add_commands(commands)
    commands.add_parser(
        "purge", help="after the consultation: delete sessions, addresses, dead letters, recordings"
    )
    commands.add_parser(
        "telegram-webhook", help="point the Telegram bot at {PARLONS_PUBLIC_URL}/webhooks/telegram"
    )

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        settings = Settings()
    except InsecureSettings as e:
        parser.exit(2, f"parlons: {e}\n")
    if args.command == "serve":
        if args.telegram_polling:
            if args.workers > 1:
                sys.exit(
                    "parlons: --telegram-polling needs one worker (Telegram allows one poller)"
                )
            os.environ["PARLONS_TELEGRAM_POLLING"] = "true"  # the app factory reads the env
        _serve(settings, args)
    elif args.command == "chat":
        logging.getLogger().setLevel(logging.WARNING)  # the conversation, not the logs
        chat_main(settings, args.keep, args.channel)
    elif args.command == "broadcast":
        main_broadcast(settings, args.file, args.dry_run)
    elif args.command == "notices":
        main_notices(settings, args.every)
    elif args.command == "import":
        import_main(settings, args.file, args.polis)
    elif args.command == "export":
        export_main(settings, args.out)
    elif args.command == "worker":
        asyncio.run(worker.work(settings, args.batch or settings.outbox_batch))
    elif args.command == "outbox":
        if args.action == "retry" and not (args.ids or args.all):
            parser.error("outbox retry: name the dead letters, or --all")
        asyncio.run(worker.outbox(settings, args.action, args.ids))
    elif args.command == "purge":
        print(purge_report(asyncio.run(purge(settings))))
    elif args.command == "telegram-webhook":
        print(f"Telegram will post updates to {asyncio.run(telegram_bot.point_webhook(settings))}")
    elif args.command in ("centre", "centres", "mediator"):
        logging.getLogger().setLevel(logging.WARNING)
        centres_cli.run(args, settings)


def _serve(settings: Settings, args: argparse.Namespace) -> None:
    if args.bot_only and not settings.api_url:
        sys.exit("parlons: --bot-only needs PARLONS_API_URL (and PARLONS_API_TOKEN)")
    factory = "bot.app:create_api_app" if args.api_only else "bot.app:create_app"
    what = "the consultation API" if args.api_only else "Parlons"
    print(f"Parlons: consultation from {settings.consultation}")
    print(f"Parlons: serving {what} on http://{args.host}:{args.port} ({args.workers} worker(s))")
    run_server(factory, args.host, args.port, args.workers, settings.forwarded_allow_ips)


def run_server(
    factory: str, host: str, port: int, workers: int = 1, forwarded_allow_ips: str = "127.0.0.1"
) -> None:
    """Serve the ASGI app `factory` builds; bench/floor.py serves its floor through this
    very call, so the floor and Parlons always run on the same server settings. The proxy
    headers are trusted from `forwarded_allow_ips` only (PARLONS_FORWARDED_ALLOW_IPS)."""
    if workers > 1:
        # Workers are fresh processes that build their app from the environment; each
        # writes its metrics where a scrape of any one of them adds them all up.
        os.environ.setdefault(
            "PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="parlons-metrics-")
        )
    uvicorn.run(
        factory,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
    )


if __name__ == "__main__":
    main()
