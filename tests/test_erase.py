"""ERASE forgets a resident everywhere we keep something by their pseudonymous ref: the API's
tables and the bot's own (a centre's credit included), through the real webhooks. Only the
session stays, with nothing in it but the language to say goodbye in."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from sqlalchemy import MetaData, select
from sqlalchemy.ext.asyncio import create_async_engine

from api.models import Base
from bot.identity import Pseudonyms
from bot.models import BotBase
from bot.settings import Settings
from tests.conftest import Phone, admin_get
from tests.fakes import FakeTelegram
from tests.telegram_chat import TelegramChat, texts
from tests.test_telegram import client, fake, telegram_settings, votes  # noqa: F401 (fixtures)
from tests.test_telegram_centres import KARIM, by_centre, parlons  # noqa: F401 (fixtures)
from tests.test_web import sign_in

REF = Pseudonyms("test-pseudonym-key").ref  # as the app derives them under the test settings


def rows_naming(database_url: str, ref: str) -> list[str]:
    """Every row, in the API's tables and the bot's, that holds `ref`: "table: row"."""

    async def scan() -> list[str]:
        engine = create_async_engine(database_url)
        tables = MetaData()
        for metadata in (Base.metadata, BotBase.metadata):
            for table in metadata.tables.values():
                table.to_metadata(tables)
        found = []
        try:
            async with engine.connect() as db:
                for table in tables.sorted_tables:
                    for row in (await db.execute(select(table))).all():
                        if any(ref in str(value) for value in row):
                            found.append(f"{table.name}: {tuple(row)}")
        finally:
            await engine.dispose()
        return found

    with ThreadPoolExecutor(1) as thread:  # the test client runs a loop of its own
        return thread.submit(asyncio.run, scan()).result()


def staff_centres_page(client: TestClient) -> str:  # noqa: F811
    sign_in(client)
    page = client.get("/staff/centres")
    assert page.status_code == 200
    return page.text


def test_erase_by_telegram_forgets_the_centre_credit(
    client: TestClient,  # noqa: F811
    fake: FakeTelegram,  # noqa: F811
    telegram_settings: Settings,  # noqa: F811
    parlons,  # noqa: F811
) -> None:
    parlons("centre", "add", "Centre social Bourtzwiller", "--code", "centre-bourtzwiller")
    karim = TelegramChat(client, fake, KARIM)
    karim.start("centre-bourtzwiller")
    karim.press("D'accord")
    assert by_centre(client) == {"centre-bourtzwiller": 1}
    assert "centre-bourtzwiller): 1 resident" in parlons("centre", "list")
    assert "1 habitant amené." in staff_centres_page(client)
    ref = REF(f"telegram:{KARIM}")
    assert rows_naming(telegram_settings.database_url, ref)  # what ERASE must remove

    assert "définitif" in texts(karim.say("SUPPRIMER"))
    assert "sont effacés" in texts(karim.press("Oui, effacer"))

    assert votes(client) == 0
    assert admin_get(client, "/api/v1/consultations/test-city/results")["participants"] == 0
    # They asked to be forgotten: the centre no longer counts them among those it brought.
    assert "centre-bourtzwiller): 0 residents" in parlons("centre", "list")
    assert "0 habitant amené." in staff_centres_page(client)
    assert rows_naming(telegram_settings.database_url, ref) == []
    # Back later, through the centre's link again: a newcomer, credited afresh.
    again = texts(karim.start("centre-bourtzwiller"))
    assert "Vous avez répondu" not in again
    karim.press("D'accord")
    assert by_centre(client) == {"centre-bourtzwiller": 1}


def test_erase_by_sms_leaves_no_row_naming_the_resident(
    client: TestClient,  # noqa: F811
    telegram_settings: Settings,  # noqa: F811
) -> None:
    phone = Phone(client, "+33639980102")
    phone.send("Bonjour")
    phone.send("1")
    phone.send("2")
    ref = REF("tel:+33639980102")
    assert rows_naming(telegram_settings.database_url, ref)

    assert "définitif" in phone.send("SUPPRIMER")
    assert "sont effacés" in phone.send("1")

    assert rows_naming(telegram_settings.database_url, ref) == []
    assert votes(client) == 0
    assert "Vous avez répondu" not in phone.send("Bonjour")  # no "welcome back": a newcomer
