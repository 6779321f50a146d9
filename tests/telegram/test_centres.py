"""Social centres on Telegram: a centre's link credits the centre, a mediator's link turns one
account into a shared tablet where each resident is a separate, anonymous participant."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.fakes import FakeTelegram
from tests.telegram.chat import (
    KARIM,
    MEDIATOR,
    TelegramChat,
    by_centre,
    fixture,
    mediator_link,
    participants,
    texts,
    votes,
)


def test_a_centre_link_credits_the_centre(
    client: TestClient,
    fake_telegram: FakeTelegram,
    parlons,
) -> None:
    added = parlons("centre", "add", "Centre social Bourtzwiller", "--code", "centre-bourtzwiller")
    assert "https://t.me/TestBot?start=centre-bourtzwiller" in added

    karim = TelegramChat(client, fake_telegram, KARIM)
    opened = fixture("tg_02_start_deeplink.json")  # exactly as Telegram sends it
    welcome = karim.post(opened)
    # His Telegram speaks Arabic, which this consultation does not offer: the menu.
    assert "Choisissez votre langue" in texts(welcome)
    assert "Proposition 1" in texts(karim.press("Français"))
    karim.post(opened)  # re-delivered: still one resident
    karim.start("centre-bourtzwiller")  # opened again later: still one

    karim.press("D'accord")
    assert by_centre(client) == {"centre-bourtzwiller": 1}
    listing = parlons("centres", "list")
    assert "Centre social Bourtzwiller (centre-bourtzwiller): 1 resident" in listing


@pytest.mark.parametrize("payload", ["unknown-centre", "m_not-a-real-link", "x" * 80, "é/?"])
def test_an_unknown_or_malformed_payload_is_a_plain_start(
    client: TestClient,
    fake_telegram: FakeTelegram,
    payload: str,
) -> None:
    karim = TelegramChat(client, fake_telegram, KARIM)
    answer = texts(karim.start(payload))
    if payload.startswith("m_"):
        assert "plus valable" in answer  # "This mediator link is not valid any more."
    else:
        assert "Proposition 1" in answer
        karim.press("D'accord")
        assert by_centre(client) == {"unknown": 1}  # no centre credited


def test_a_revoked_centre_link_credits_no_one(
    client: TestClient,
    fake_telegram: FakeTelegram,
    parlons,
) -> None:
    parlons("centre", "add", "Centre social Bourtzwiller", "--code", "centre-bourtzwiller")
    assert "Revoked" in parlons("centre", "revoke", "centre-bourtzwiller")
    karim = TelegramChat(client, fake_telegram, KARIM)
    assert "Proposition 1" in texts(karim.start("centre-bourtzwiller"))
    karim.press("D'accord")
    assert by_centre(client) == {"unknown": 1}  # no centre credited
    assert "revoked" in parlons("centre", "list")


def test_a_start_link_can_preset_the_language(
    client: TestClient,
    fake_telegram: FakeTelegram,
) -> None:
    karim = TelegramChat(client, fake_telegram, KARIM, language="fr")
    answer = texts(karim.start("en"))  # a French phone, an English link
    assert answer.startswith("Hello!")
    assert "Proposal 1: " in answer


def test_a_mediator_walks_three_residents_through_one_tablet(
    client: TestClient,
    fake_telegram: FakeTelegram,
    parlons,
) -> None:
    code = mediator_link(parlons)
    tablet = TelegramChat(client, fake_telegram, MEDIATOR)
    [joined] = tablet.start(code)
    assert "médiateur pour Centre social Bourtzwiller" in joined.text
    keyboard = joined.params["reply_markup"]["keyboard"]
    assert [b["text"] for b in keyboard[0]] == ["➕ Nouvelle personne", "👥 Changer de personne"]
    assert "Nouvelle personne" in texts(tablet.say("Bonjour"))  # no one at the tablet yet

    for number, choice in enumerate(["D'accord", "Pas d'accord", "D'accord"], start=1):
        handed = tablet.say("➕ Nouvelle personne")
        assert f"Personne {number} : merci de lui passer la tablette." in texts(handed)
        assert "Français" in [b["text"] for b in handed[-1].buttons]  # they choose a language
        tablet.press("Français")
        assert "Proposition 1" in tablet.last_with_buttons().text
        tablet.press(choice)

    assert votes(client) == 3
    # Three participants, all the centre's: none is the mediator, who never voted as such.
    assert participants(client) == 3
    assert by_centre(client) == {"centre-bourtzwiller": 3}
    assert "centre-bourtzwiller): 3 residents" in parlons("centre", "list")

    # Back to the first resident, where they left off.
    assert [b["text"] for b in tablet.say("👥 Changer de personne")[-1].buttons] == [
        "Personne 1",
        "Personne 2",
        "Personne 3",
    ]
    back = tablet.press("Personne 1")
    assert "Vous avez répondu à 1 proposition" in texts(back)
    tablet.press("Réaliste")  # person 1 had been asked "in one word?"
    assert votes(client) == 3  # a qualification, not a new vote

    parlons("centre", "revoke", code)
    assert "plus valable" in texts(tablet.say("➕ Nouvelle personne"))
    assert participants(client) == 3


def test_a_resident_who_said_stop_at_the_tablet_is_not_taken_back(
    client: TestClient,
    fake_telegram: FakeTelegram,
    parlons,
) -> None:
    tablet = TelegramChat(client, fake_telegram, MEDIATOR)
    tablet.start(mediator_link(parlons))
    tablet.say("➕ Nouvelle personne")
    tablet.press("Français")
    assert "Personne suivante ?" in texts(tablet.say("STOP"))
    tablet.say("➕ Nouvelle personne")
    assert [b["text"] for b in tablet.say("👥 Changer de personne")[-1].buttons] == ["Personne 2"]


def test_a_mediator_blocking_the_bot_stops_no_resident(
    client: TestClient,
    fake_telegram: FakeTelegram,
    parlons,
) -> None:
    tablet = TelegramChat(client, fake_telegram, MEDIATOR)
    tablet.start(mediator_link(parlons))
    tablet.say("➕ Nouvelle personne")
    tablet.press("Français")
    assert tablet.block() == []
    tablet.press("D'accord")  # the resident at the tablet goes on
    assert votes(client) == 1


def test_a_revoked_mediator_link_leaves_a_plain_participant_and_keeps_the_ballots(
    client: TestClient,
    fake_telegram: FakeTelegram,
    parlons,
) -> None:
    code = mediator_link(parlons)
    tablet = TelegramChat(client, fake_telegram, MEDIATOR, language="en")
    assert "mediator for Centre social Bourtzwiller" in texts(tablet.start(code))
    tablet.say("➕ New person")
    tablet.press("English")
    tablet.press("Disagree")  # person 1: thanked for one ballot
    tablet.say("➕ New person")
    tablet.press("Français")
    tablet.press("D'accord")  # person 2: thanked for one ballot, in the middle of the rest
    assert votes(client) == 2

    parlons("centre", "revoke", code)  # staff: the tablet was lost
    [told] = [c for c in tablet.press("Réaliste") if c.method == "sendMessage"]
    # Plainly, in the mediator's language, with whom to ask, and the tablet's buttons gone.
    assert told.text == (
        "This mediator link is not valid any more. Ask Centre social Bourtzwiller for a new one. "
        "You can still take part yourself: send a message to start."
    )
    assert told.params["reply_markup"] == {"remove_keyboard": True}
    assert votes(client) == 2  # what the residents were thanked for stays; nothing else came in

    # From now on the account is a resident like any other, never the tablet's residents.
    welcome = texts(tablet.say("Hello"))
    assert "Proposal 1" in welcome
    assert "You have answered" not in welcome
    tablet.press("Agree")
    assert votes(client) == 3
    assert participants(client) == 3
    assert by_centre(client) == {"centre-bourtzwiller": 2, "unknown": 1}
    assert "Person 2" not in texts(tablet.say("👥 Switch person"))
    assert "centre-bourtzwiller): 2 residents" in parlons("centre", "list")

    # The old link again: the same plain answer; a new link makes a mediator again.
    assert "Ask Centre social Bourtzwiller for a new one" in texts(tablet.start(code))
    printed = parlons("mediator", "add", "--centre", "centre-bourtzwiller")
    fresh = re.search(r"start=(m_[\w-]+)", printed).group(1)
    assert "mediator for Centre social Bourtzwiller" in texts(tablet.start(fresh))
    assert "Person 1: please hand over" in texts(tablet.say("➕ New person"))
