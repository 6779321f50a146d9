"""`parlons serve`: the webhooks and the consultation API (or either alone) under uvicorn."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

import uvicorn
from fastapi import FastAPI

from bot.app import create_app
from bot.ops.log_queue import log_in_background
from bot.settings import Settings


def add_parser(commands: argparse._SubParsersAction) -> None:
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
    serve.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> None:
    if args.bot_only and not settings.api_url:
        sys.exit("parlons: --bot-only needs PARLONS_API_URL (and PARLONS_API_TOKEN)")
    app: str | FastAPI = "bot.app:create_api_app" if args.api_only else "bot.app:create_app"
    if args.telegram_polling and not args.api_only:
        if args.workers > 1:
            sys.exit("parlons: --telegram-polling needs one worker (Telegram allows one poller)")
        app = create_app(settings, telegram_polling=True)  # one process: the app itself
    what = "the consultation API" if args.api_only else "Parlons"
    print(f"Parlons: consultation from {settings.consultation}")
    print(f"Parlons: serving {what} on http://{args.host}:{args.port} ({args.workers} worker(s))")
    log_in_background()
    run_server(app, args.host, args.port, args.workers, settings.forwarded_allow_ips)


def run_server(
    app: str | FastAPI,
    host: str,
    port: int,
    workers: int = 1,
    forwarded_allow_ips: str = "127.0.0.1",
) -> None:
    """Serve `app`, or the ASGI app the factory named `app` builds; bench/floor.py serves its
    floor through this very call, so the floor and Parlons always run on the same server
    settings. The proxy headers are believed from `forwarded_allow_ips` only
    (PARLONS_FORWARDED_ALLOW_IPS)."""
    if workers > 1:
        # Workers are fresh processes that build their app from the environment; each
        # writes its metrics where a scrape of any one of them adds them all up.
        os.environ.setdefault(
            "PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="parlons-metrics-")
        )
    factory = isinstance(app, str)
    uvicorn.run(
        app,
        factory=factory,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
    )
