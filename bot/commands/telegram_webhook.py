"""`parlons telegram-webhook`: tell Telegram where our webhook is, with the secret it must send
back on every request."""

from __future__ import annotations

import argparse
import asyncio

from bot import wiring
from bot.settings import Settings, secret
from bot.telegram.updates import ALLOWED_UPDATES


def add_parser(commands: argparse._SubParsersAction) -> None:
    commands.add_parser(
        "telegram-webhook", help="point the Telegram bot at {PARLONS_PUBLIC_URL}/webhooks/telegram"
    ).set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> None:
    print(f"Telegram will post updates to {asyncio.run(point_webhook(settings))}")


async def point_webhook(settings: Settings) -> str:
    """Returns the URL Telegram will post to."""
    bot, secret_token = wiring.make_bot(settings), secret(settings.telegram_secret)
    if bot is None or not secret_token:
        raise SystemExit("parlons: set TELEGRAM_BOT_TOKEN and PARLONS_TELEGRAM_SECRET first")
    url = f"{settings.public_url.rstrip('/')}/webhooks/telegram"
    async with bot:
        await bot.set_webhook(url, secret_token=secret_token, allowed_updates=ALLOWED_UPDATES)
    return url
