"""`parlons whatsapp-content`: the Content API resources behind WhatsApp's buttons, one per
offered language and choice set, found (by friendly name) or created at Twilio, and their
Content SIDs kept where the webhook reads them (bot/whatsapp/contents.py). Run it once after
setting Twilio's credentials, and again after changing the catalogs or the districts."""

from __future__ import annotations

import argparse
import asyncio
import sys

import httpx

from bot import wiring
from bot.records.whatsapp import WhatsAppContents
from bot.settings import Settings, secret
from bot.whatsapp.contents import ContentApi, provide
from dialogs import District
from dialogs.i18n import has_catalog


def add_parser(commands: argparse._SubParsersAction) -> None:
    commands.add_parser(
        "whatsapp-content", help="create or find WhatsApp's buttons (Twilio's Content API)"
    ).set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> None:
    token = secret(settings.twilio_auth_token)
    if not (settings.twilio_account_sid and token):
        sys.exit("parlons: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN first")
    asyncio.run(content(settings, settings.twilio_account_sid, token))


async def content(settings: Settings, account: str, token: str) -> None:
    parlons = wiring.build(settings)
    await parlons.start()
    try:
        consultation = parlons.runtime.consultation
        languages = [lang for lang in consultation.languages if has_catalog(lang)]
        districts = [
            District(d["key"], d["name"]) for d in consultation.details.get("districts", [])
        ]
        async with httpx.AsyncClient(timeout=30) as http:
            api = ContentApi(http, account, token, settings.twilio_api_url)
            kept = WhatsAppContents(parlons.tables)
            for choice, sid, how in await provide(api, kept, languages, districts):
                print(f"{choice.language} {choice.key} {sid} ({how})")
    finally:
        await parlons.stop()
