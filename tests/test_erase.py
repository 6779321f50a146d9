"""ERASE forgets a resident everywhere we keep something by their pseudonymous ref: the API's
tables and the bot's own (a centre's credit, the broadcasts sent, a tablet's row), through the
real webhooks, in the embedded default and in Redis mode. Only the session stays, with nothing
in it but the language to say goodbye in."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import MetaData, select
from sqlalchemy.ext.asyncio import create_async_engine

from api.models import Base
from bot.app import create_app
from bot.records.models import BotBase, TabletResident
from bot.settings import Settings
from bot.turns.identity import Pseudonyms
from tests.conftest import PUBLIC_URL, TELEGRAM_TOKEN, Phone, admin_get
from tests.fakes import FakeTelegram, FakeTwilio
from tests.outbox.helpers import drain
from tests.outreach.conftest import ACCOUNT, SERVICE, SPEC, YES
from tests.telegram.chat import (
    KARIM,
    MEDIATOR,
    TelegramChat,
    by_centre,
    mediator_link,
    texts,
    votes,
)
from tests.web.helpers import sign_in

REF = Pseudonyms("test-pseudonym-key").ref  # as the app derives them under the test settings


@pytest.fixture
def client(telegram_settings: Settings) -> Iterator[TestClient]:
    """The app with its Telegram bot: residents come by SMS, Telegram and a tablet here; over
    https, as the public address is (the staff page's cookies are Secure there)."""
    with TestClient(create_app(telegram_settings), base_url="https://testserver") as c:
        yield c


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


def staff_centres_page(client: TestClient) -> str:
    sign_in(client)
    page = client.get("/staff/centres")
    assert page.status_code == 200
    return page.text


def test_erase_by_telegram_forgets_the_centre_credit(
    client: TestClient,
    fake_telegram: FakeTelegram,
    telegram_settings: Settings,
    parlons,
) -> None:
    parlons("centre", "add", "Centre social Bourtzwiller", "--code", "centre-bourtzwiller")
    karim = TelegramChat(client, fake_telegram, KARIM)
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
    client: TestClient,
    telegram_settings: Settings,
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


def broadcast_file(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, tmp_path: Path, senders: dict[str, str]
) -> str:
    """A broadcast for `parlons broadcast`, sent through `senders` (their settings)."""
    everything = {
        "PARLONS_CONSULTATION": str(settings.consultation),
        "PARLONS_PUBLIC_URL": PUBLIC_URL,
        "PARLONS_QUIET_HOURS": "",  # the test may run at night
        **senders,
    }
    for name, value in everything.items():
        monkeypatch.setenv(name, value)
    spec = tmp_path / "results.yaml"
    spec.write_text(yaml.safe_dump(SPEC.model_dump(), allow_unicode=True), encoding="utf-8")
    return str(spec)


def test_erase_after_a_broadcast_leaves_no_record_of_the_message(
    client: TestClient,
    telegram_settings: Settings,
    fake_twilio: FakeTwilio,
    parlons,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    erasing, staying = Phone(client, "+33639980103"), Phone(client, "+33639980104")
    for text in YES:  # every proposal, then yes: they may hear back
        erasing.send(text)
        staying.send(text)
    sms = {
        "PARLONS_TWILIO_API_URL": fake_twilio.url,  # type: ignore[attr-defined]
        "TWILIO_ACCOUNT_SID": ACCOUNT,
        "TWILIO_AUTH_TOKEN": "twilio-rest-token",
        "TWILIO_MESSAGING_SERVICE_SID": SERVICE,
    }
    spec = broadcast_file(monkeypatch, telegram_settings, tmp_path, sms)
    assert "Done: sent 2" in parlons("broadcast", spec)
    ref, database_url = REF("tel:+33639980103"), telegram_settings.database_url
    assert any(row.startswith("bot_broadcast_sends:") for row in rows_naming(database_url, ref))

    assert "définitif" in erasing.send("SUPPRIMER")
    assert "sont effacés" in erasing.send("1")

    assert rows_naming(database_url, ref) == []
    # The broadcast's own figure counts only residents it still knows: the one who stayed,
    # already sent to, and not sent twice when the broadcast runs again.
    assert "already sent by an earlier run: 1" in parlons("broadcast", spec, "--dry-run")
    assert "Done: nothing" in parlons("broadcast", spec)
    assert sorted(m["To"] for m in fake_twilio.messages) == ["+33639980103", "+33639980104"]


def desk_tokens(database_url: str) -> dict[int, str]:
    """The tablet's residents: "Person N" -> their random token (their address: desk:TOKEN)."""

    async def read() -> dict[int, str]:
        engine = create_async_engine(database_url)
        try:
            async with engine.connect() as db:
                rows = await db.execute(select(TabletResident.number, TabletResident.token))
                return dict(rows.all())
        finally:
            await engine.dispose()

    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, read()).result()


def test_erase_at_a_tablet_takes_the_resident_off_its_list(
    client: TestClient,
    fake_telegram: FakeTelegram,
    telegram_settings: Settings,
    parlons,
) -> None:
    tablet = TelegramChat(client, fake_telegram, MEDIATOR)
    tablet.start(mediator_link(parlons))
    for _person in (1, 2):
        tablet.say("➕ Nouvelle personne")
        tablet.press("Français")
        tablet.press("D'accord")
    assert "centre-bourtzwiller): 2 residents" in parlons("centre", "list")
    tablet.say("👥 Changer de personne")
    assert "Vous avez répondu à 1 proposition" in texts(tablet.press("Personne 1"))
    erased = desk_tokens(telegram_settings.database_url)[1]

    assert "définitif" in texts(tablet.say("SUPPRIMER"))
    done = texts(tablet.press("Oui, effacer"))
    assert "sont effacés" in done and "Personne suivante" in done

    database_url, ref = telegram_settings.database_url, REF(f"desk:{erased}")
    assert rows_naming(database_url, ref) == [] and rows_naming(database_url, erased) == []
    assert "centre-bourtzwiller): 1 resident" in parlons("centre", "list")
    assert votes(client) == 1
    # Only person 2 is left to go back to; whatever the tablet sends now waits for a person.
    switch = tablet.say("👥 Changer de personne")[-1]
    assert [b["text"] for b in switch.buttons] == ["Personne 2"]
    assert "Nouvelle personne" in texts(tablet.say("Bonjour"))
    # The next one is person 3: no two people on one tablet share a number.
    assert "Personne 3 :" in texts(tablet.say("➕ Nouvelle personne"))
    switch = tablet.say("👥 Changer de personne")[-1]
    assert [b["text"] for b in switch.buttons] == ["Personne 2", "Personne 3"]


@pytest.fixture
def redis_client(
    telegram_settings: Settings,
    redis_settings: Settings,
) -> Iterator[TestClient]:
    """The Telegram app in production mode: sessions and the outbox in Redis."""
    with TestClient(create_app(redis_settings)) as c:
        yield c


def test_erase_in_redis_mode_forgets_the_bot_rows_at_once_and_the_api_rows_once_drained(
    redis_client: TestClient,
    fake_telegram: FakeTelegram,
    redis_settings: Settings,
    parlons,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    tablet = TelegramChat(redis_client, fake_telegram, MEDIATOR)
    tablet.start(mediator_link(parlons))
    tablet.say("➕ Nouvelle personne")
    tablet.press("Français")
    tablet.press("D'accord")
    karim = TelegramChat(redis_client, fake_telegram, KARIM)
    karim.start("centre-bourtzwiller")
    for text in ["3", "3", "3", "2", "3"]:  # every proposal skipped, no idea
        karim.say(text)
    assert "Merci. Nous vous écrirons" in texts(karim.say("1"))  # yes, they may hear back
    telegram = {"TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "PARLONS_TELEGRAM_API_URL": fake_telegram.url}
    spec = broadcast_file(monkeypatch, redis_settings, tmp_path, telegram)
    assert "Done: sent 1" in parlons("broadcast", spec)
    drain(redis_settings)
    database_url = redis_settings.database_url
    [person] = desk_tokens(database_url).values()
    refs = [REF(f"telegram:{KARIM}"), REF(f"desk:{person}")]
    assert all(rows_naming(database_url, ref) for ref in refs)
    assert any(row.startswith("bot_broadcast_sends:") for row in rows_naming(database_url, refs[0]))

    karim.say("SUPPRIMER")
    assert "sont effacés" in texts(karim.press("Oui, effacer"))
    tablet.say("SUPPRIMER")
    assert "sont effacés" in texts(tablet.press("Oui, effacer"))

    # The bot's own rows go at once; the API's wait in the outbox, behind the ballots.
    left = [row for ref in refs for row in rows_naming(database_url, ref)]
    assert left and not [row for row in left if row.startswith("bot_")]
    assert desk_tokens(database_url) == {}
    assert "centre-bourtzwiller): 0 residents" in parlons("centre", "list")
    assert "Aucune personne" in texts(tablet.say("👥 Changer de personne"))
    drain(redis_settings)
    assert [row for ref in refs for row in rows_naming(database_url, ref)] == []
    assert admin_get(redis_client, "/api/v1/consultations/test-city/results")["participants"] == 0
