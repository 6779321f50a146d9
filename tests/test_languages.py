"""A whole conversation in each of the six languages of the demo consultation: from the first
text to an idea submitted and a STOP, every reply in the resident's language."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import DEMO_CONSULTATION, Settings
from channels.sms_cost import cost, is_gsm7, to_gsm7
from dialogs.i18n import translator
from tests.conftest import Phone, admin_get

# The resident's own words: a greeting, the word for an idea, their idea, the word for STOP.
RESIDENTS = {
    "fr": ("Bonjour", "idée", "Il faut plus de jardins partagés dans les quartiers", "arrêt"),
    "en": ("Hi", "idea", "We need more shared gardens in the districts", "stop"),
    "de": ("Guten Tag", "Idee", "Wir brauchen mehr Gemeinschaftsgärten in den Vierteln", "Stopp"),
    "ar": ("السلام عليكم", "فكرة", "يجب إنشاء حدائق مشتركة في الأحياء", "توقف"),
    "tr": ("Merhaba", "fikir", "Mahallelerde daha fazla ortak bahçe olmalı", "dur"),
    "pt": ("Olá", "ideia", "É preciso mais hortas comunitárias nos bairros", "parar"),
}


@pytest.fixture
def demo(settings: Settings) -> TestClient:
    settings.consultation = DEMO_CONSULTATION
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.mark.parametrize("language", sorted(RESIDENTS))
def test_a_whole_conversation_in_each_language(demo: TestClient, language: str) -> None:
    greeting, idea_word, idea, stop_word = RESIDENTS[language]
    t = translator(language)

    def ours(text: str) -> str:  # our words as the SMS carries them
        return to_gsm7(text) if language in ("pt", "tr", "fr", "de", "en") else text

    phone = Phone(demo, f"+3363998{sorted(RESIDENTS).index(language):04d}")
    welcome = phone.send(greeting)
    hello = t.gettext(
        "Hello! %(question)s Vote on your neighbours' ideas. Your identity stays private. "
        "HELP for help, STOP to quit."
    )
    assert welcome.startswith(ours(hello.split("%(question)s")[0]))
    assert ours(t.gettext("Proposal %(number)d:") % {"number": 1}) in welcome
    assert ours(t.gettext("Agree")) in welcome
    assert phone.send("1").startswith(ours(t.gettext("Noted.")))
    assert phone.send("2").startswith(ours(t.gettext("Noted.")))
    prompt = t.gettext(
        'Write your idea in one message, at most %(limit)d characters. You can start with "We '
        'should...".'
    ) % {"limit": 200}
    assert phone.send(idea_word) == ours(prompt)
    assert ours(idea) in phone.send(idea)  # read back (plain letters in SMS); stored as written
    thanks = t.gettext(
        "Thank you! A moderator will read your idea, then it will be shown to other residents."
    )
    assert phone.send("1").startswith(ours(thanks))
    assert phone.send(stop_word) == ours(
        t.gettext("You will get no more messages. Send START to come back.")
    )
    assert phone.send("1") == ""

    pending = admin_get(demo, "/api/v1/consultations/mulhouse/proposals?status=pending")
    assert [(p["text"], p["language"]) for p in pending] == [(idea, language)]


@pytest.mark.parametrize(
    ("first_text", "language"),
    [
        ("أريد أن أشارك في الاستشارة من فضلكم", "ar"),
        ("Mahallemiz için bir fikrim var, nasıl katılabilirim?", "tr"),
        ("Ich möchte bei der Befragung mitmachen, bitte", "de"),
        ("Quero participar na consulta sobre o bairro", "pt"),
        # French, the default language, is found too: not the menu (issue 24).
        ("je voudrais donner mon avis", "fr"),
        ("c est pour le sondage de la mairie", "fr"),
    ],
)
def test_a_first_text_is_answered_in_its_language_without_a_menu(
    demo: TestClient, first_text: str, language: str
) -> None:
    reply = Phone(demo, "+33639980299").send(first_text)
    t = translator(language)
    assert t.gettext("Proposal %(number)d:") % {"number": 1} in reply
    assert t.gettext("Choose your language:") not in reply


@pytest.mark.parametrize("first_text", ["ok", "1", "OK!", "👍"])
def test_ok_or_a_digit_gets_the_default_language_and_the_menu(
    demo: TestClient, first_text: str
) -> None:
    phone = Phone(demo, "+33639980298")
    reply = phone.send(first_text)
    assert reply.startswith("Bonjour !") and reply.endswith("6=Portugues")
    assert "Proposition 1 : " in phone.send("1")  # French chosen: the first proposal


@pytest.mark.parametrize("first_text", ["oui", "Aide"])
def test_a_word_only_french_has_is_answered_in_french(demo: TestClient, first_text: str) -> None:
    reply = Phone(demo, "+33639980296").send(first_text)
    assert reply.startswith("Bonjour !") and "Choisissez votre langue" not in reply


def test_a_text_whose_language_cannot_be_told_gets_the_menu_in_gsm7_by_sms(
    demo: TestClient,
) -> None:
    phone = Phone(demo, "+33639980297")
    reply = phone.send("ok merci")  # no detector can place one Latin word
    assert reply.startswith("Bonjour !")
    menu = "1=Francais 2=English 3=Deutsch 4=Arabi 5=Turkce 6=Portugues"
    assert reply.endswith("Choisissez votre langue :\n" + menu)
    assert is_gsm7(reply) and cost(reply).segments == 2
    assert phone.send("Arabi").startswith("الاقتراح 1")  # chosen by its name, as shown


@pytest.mark.parametrize("name", ["4", "arabe", "Arabi", "العربية"])
def test_a_language_is_chosen_by_its_number_or_any_of_its_names(
    demo: TestClient, name: str
) -> None:
    phone = Phone(demo, "+33639980296")
    phone.send("ok merci")
    assert translator("ar").gettext("Proposal %(number)d:") % {"number": 1} in phone.send(name)


def test_an_arabic_resident_sees_the_menu_in_arabic_letters(demo: TestClient) -> None:
    phone = Phone(demo, "+33639980295")
    phone.send("السلام عليكم")
    menu = phone.send("لغة")
    assert "4=العربية" in menu and "5=Türkçe" in menu  # UCS-2 anyway: each its own letters
