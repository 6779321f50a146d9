"""Messages we start, to WhatsApp residents: free text within their 24 h window, an approved
template outside it (counted as such by a dry run), nothing at all without a template; and a
resident on SMS and WhatsApp hears back on the one they used last."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx

from api import db
from bot.outreach.broadcast import Broadcast
from bot.outreach.ledger import Ledger
from bot.outreach.twilio_rest import twilio_client
from bot.outreach.whatsapp_sender import WhatsAppOutside, WhatsAppSender
from bot.records.contacts import Contacts
from bot.records.whatsapp import WhatsAppWindows
from bot.settings import Settings
from tests.conftest import PUBLIC_URL, Phone
from tests.fakes import FakeClock, FakeTwilio
from tests.outreach.conftest import SPEC, YES
from tests.whatsapp.helpers import ACCOUNT, WhatsApp

TEMPLATES = {"fr": "HX" + "7" * 32}
FROM = "whatsapp:+33199000042"


def said_yes(live: httpx.Client, fake: FakeTwilio, number: str) -> None:
    resident = WhatsApp(live, fake, number)  # type: ignore[arg-type]
    for text in YES:
        seen = resident.send(text)
    assert seen[-1].text.startswith("Merci. Nous vous écrirons seulement")


async def job(settings: Settings, fake: FakeTwilio, clock: FakeClock, templates=TEMPLATES):  # noqa: ANN001, ANN201
    engine = db.create_engine(settings.database_url)
    tables = db.sessionmaker(engine)
    contacts = Contacts(tables, settings.contact_key.get_secret_value())
    twilio = twilio_client(ACCOUNT, "token", fake.url)  # type: ignore[attr-defined]
    ledger = Ledger(
        tables,
        {"whatsapp": WhatsAppSender(twilio, FROM, None)},
        PUBLIC_URL,
        clock=clock,
        sleep=clock.sleep,
    )
    outside = WhatsAppOutside(WhatsAppWindows(tables), templates, "fr")
    return Broadcast(SPEC, contacts, ledger, "fr", whatsapp=outside), engine


async def test_free_text_in_the_window_a_template_outside_it_never_free_text_outside(
    wa_live: httpx.Client, fake_twilio: FakeTwilio, wa_settings: Settings
) -> None:
    said_yes(wa_live, fake_twilio, "+33639980311")
    fake_twilio.contents[TEMPLATES["fr"]] = {"variables": {"1": "Les résultats"}, "types": {}}
    within = FakeClock(datetime.now(UTC) + timedelta(hours=2))
    broadcast, engine = await job(wa_settings, fake_twilio, within)
    plan = await broadcast.plan()
    assert "WhatsApp by template (outside the 24 h window): 0" in plan.table()
    assert (await broadcast.run()).statuses["sent"] == 1
    [free] = [m for m in fake_twilio.whatsapp_to("+33639980311") if "Body" in m][-1:]
    assert free["Body"].startswith("Les résultats sont là") and free["From"] == FROM
    await engine.dispose()

    # A day later the window has closed: the approved template carries the message.
    later = FakeClock(datetime.now(UTC) + timedelta(hours=25))
    broadcast, engine = await job(wa_settings, fake_twilio, later)
    broadcast.spec = SPEC.model_copy(update={"name": "results-again"})
    plan = await broadcast.plan()
    assert "WhatsApp by template (outside the 24 h window): 1" in plan.table()
    assert (await broadcast.run()).statuses["sent"] == 1
    sent = fake_twilio.whatsapp_to("+33639980311")[-1]
    assert sent["ContentSid"] == TEMPLATES["fr"] and "Body" not in sent
    variable = json.loads(sent["ContentVariables"])["1"]
    assert variable.startswith("Les résultats sont là") and "\n" not in variable
    await engine.dispose()

    # Without a template, nothing goes: never free text outside the window.
    before = len(fake_twilio.messages)
    broadcast, engine = await job(wa_settings, fake_twilio, later, templates={})
    broadcast.spec = SPEC.model_copy(update={"name": "results-third"})
    assert (await broadcast.plan()).no_template == 1
    assert (await broadcast.run()).statuses["no WhatsApp template"] == 1
    assert len(fake_twilio.messages) == before
    await engine.dispose()


async def test_a_resident_hears_back_on_the_channel_they_used_last(
    wa_live: httpx.Client, fake_twilio: FakeTwilio, wa_settings: Settings
) -> None:
    said_yes(wa_live, fake_twilio, "+33639980312")
    engine = db.create_engine(wa_settings.database_url)
    contacts = Contacts(db.sessionmaker(engine), wa_settings.contact_key.get_secret_value())
    [contact] = [c async for c in contacts.reachable()]
    assert contact.channel == "whatsapp"
    Phone(wa_live, "+33639980312").send("Bonjour")  # type: ignore[arg-type]
    [contact] = [c async for c in contacts.reachable()]
    assert (contact.channel, contact.address) == ("sms", "tel:+33639980312")
    WhatsApp(wa_live, fake_twilio, "+33639980312").send("1")  # type: ignore[arg-type]
    [contact] = [c async for c in contacts.reachable()]
    assert contact.channel == "whatsapp"
    await engine.dispose()
