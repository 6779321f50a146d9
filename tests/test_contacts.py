"""Residents who asked to hear back: kept encrypted, suspended by STOP, removed by ERASE."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import InvalidToken
from fastapi.testclient import TestClient

from bot.records.contacts import Contacts, Reachable
from bot.settings import Settings
from channels import kiosk
from tests.conftest import Phone

NUMBER = "+33639980150"
# Every proposal of the test consultation, no idea: then "may we write to you later?"
TO_THE_QUESTION = ["Bonjour", "1", "1", "1", "2", "1"]


def reachable(client: TestClient) -> list[Reachable]:
    contacts: Contacts = client.app.state.parlons.runtime.contacts

    async def listed() -> list[Reachable]:
        return [c async for c in contacts.reachable()]

    return client.portal.call(listed)


def test_yes_keeps_the_address_encrypted_stop_suspends_start_restores_erase_removes(
    client: TestClient, settings: Settings, tmp_path: Path
) -> None:
    phone = Phone(client, NUMBER)
    for text in TO_THE_QUESTION:
        reply = phone.send(text)
    assert reply.endswith("1=Oui 2=Non")
    assert reachable(client) == []  # nothing assumed before the answer
    assert phone.send("1").startswith("Merci. Nous vous écrirons")

    (contact,) = reachable(client)
    assert (contact.channel, contact.address, contact.language) == ("sms", f"tel:{NUMBER}", "fr")
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("parlons.db*"))
    assert NUMBER.encode() not in stored and NUMBER[1:].encode() not in stored

    phone.send("STOP")
    assert reachable(client) == []
    phone.send("START")
    assert [c.address for c in reachable(client)] == [f"tel:{NUMBER}"]
    phone.send("SUPPRIMER")
    phone.send("1")
    assert reachable(client) == []


def test_no_keeps_nothing(client: TestClient) -> None:
    phone = Phone(client, NUMBER)
    for text in TO_THE_QUESTION:
        phone.send(text)
    phone.send("2")
    assert reachable(client) == []


def test_without_the_key_an_address_cannot_be_read(client: TestClient) -> None:
    phone = Phone(client, NUMBER)
    for text in [*TO_THE_QUESTION, "1"]:
        phone.send(text)
    runtime_contacts: Contacts = client.app.state.parlons.runtime.contacts
    stranger = Contacts(runtime_contacts._tables, "another-key")

    async def listed() -> list[Reachable]:
        return [c async for c in stranger.reachable()]

    with pytest.raises(InvalidToken):
        client.portal.call(listed)


def test_a_resident_at_a_centres_kiosk_is_never_asked(client: TestClient) -> None:
    """The kiosk's next resident would be the one we wrote to: there is no address to keep."""
    runtime = client.app.state.parlons.runtime

    async def kiosk_conversation() -> list[str]:
        said = []
        for n, text in enumerate(TO_THE_QUESTION):
            outcome = await runtime.handle(kiosk.parse("a" * 32, f"m{n}", text))
            said.extend(getattr(r, "text", "") for r in outcome.replies)
        return said

    said = client.portal.call(kiosk_conversation)
    assert any("toutes les propositions" in s for s in said)
    assert not any("recevoir les résultats" in s for s in said)
    assert client.portal.call(lambda: _listed(runtime.contacts)) == []


async def _listed(contacts: Contacts) -> list[Reachable]:
    return [c async for c in contacts.reachable()]


def test_a_language_chosen_later_is_the_language_of_the_news(client: TestClient) -> None:
    phone = Phone(client, NUMBER)
    for text in [*TO_THE_QUESTION, "1"]:
        phone.send(text)
    phone.send("LANGUE")
    phone.send("English")
    assert [c.language for c in reachable(client)] == ["en"]
