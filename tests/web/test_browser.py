"""The staff web page in a real headless Chromium (Debian's, never a downloaded one), as a
moderator and a resident would use it. Every page is checked with axe-core and saved as a
screenshot in var/screenshots/."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from bot.app import create_app
from bot.settings import Settings
from tests.conftest import ADMIN_TOKEN, ROOT, Phone, ServerThread, send_idea, shown_until_done

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = ROOT / "var" / "screenshots"
MARKET = "Il faut un marché de producteurs le dimanche"

if not os.path.exists(CHROMIUM):
    if os.environ.get("CI") == "true":
        raise RuntimeError("Chromium is missing: .ci/run installs Debian's chromium")
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def server(settings: Settings) -> Iterator[ServerThread]:
    with ServerThread(create_app(settings)) as running:
        yield running


@pytest.fixture
def page(browser: Browser, server: ServerThread) -> Iterator[Page]:
    context = browser.new_context(base_url=server.url, locale="fr-FR")
    yield context.new_page()
    context.close()


@pytest.fixture
def sms(server: ServerThread) -> Iterator[httpx.Client]:
    """Residents' phones reach the running server through the signed Twilio webhook."""
    with httpx.Client(base_url=server.url) as client:
        yield client


def check(page: Page, name: str) -> None:
    """Save what the page shows, and fail on any serious or critical accessibility issue."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    found = Axe().run(page).response["violations"]
    serious = [(v["id"], v["help"]) for v in found if v["impact"] in ("serious", "critical")]
    assert serious == [], f"{name}: {serious}"


def idea_by_sms(sms: httpx.Client, number: str, text: str) -> None:
    author = Phone(sms, number)
    author.send("Bonjour")
    send_idea(author, text)


def simulate(page: Page, channel: str, first: str) -> Locator:
    """Open a simulated conversation on `channel` and send `first`; the message box."""
    page.goto(f"/staff/simulator?channel={channel}")
    message = page.get_by_label("Message", exact=True)
    message.fill(first)
    message.press("Enter")
    return message


def sign_in(page: Page, token: str = ADMIN_TOKEN) -> None:
    page.goto("/staff/moderation")
    expect(page).to_have_url(re.compile(r"/staff/sign-in$"))
    page.get_by_label("Votre jeton").fill(token)
    page.get_by_role("button", name="Se connecter").click()


def test_sign_in_refuses_a_wrong_token_then_lets_a_moderator_in(page: Page) -> None:
    sign_in(page, "not-the-token")
    expect(page.get_by_role("alert")).to_contain_text("jeton est inconnu")
    check(page, "sign-in-refused")
    page.get_by_label("Votre jeton").fill(ADMIN_TOKEN)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Modération")
    page.get_by_role("button", name="Se déconnecter").click()
    page.goto("/staff/results")
    expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter")


def test_a_moderated_idea_is_offered_to_the_next_sms_resident(page: Page, sms) -> None:  # noqa: ANN001
    idea_by_sms(sms, "+33639980140", MARKET)

    sign_in(page)
    idea = page.locator("[data-idea]").filter(has_text=MARKET)
    expect(idea).to_contain_text("SMS")
    check(page, "moderation")
    # The keyboard alone: J reaches the idea, A accepts it.
    page.keyboard.press("j")
    expect(idea).to_be_focused()
    page.keyboard.press("a")
    expect(page.get_by_role("status")).to_contain_text("acceptée")
    expect(page.locator("[data-idea]")).to_have_count(0)

    assert MARKET in shown_until_done(Phone(sms, "+33639980141"))


def test_a_rejected_idea_needs_a_reason(page: Page, sms) -> None:  # noqa: ANN001
    idea_by_sms(sms, "+33639980142", "Il faut interdire les chiens partout en ville")
    sign_in(page)
    idea = page.locator("[data-idea]").first
    idea.get_by_role("button", name="Refuser").click()
    expect(idea).to_be_visible()  # the reason is required: nothing was sent
    # The keyboard alone: J reaches the idea, R its list of reasons.
    page.keyboard.press("j")
    page.keyboard.press("r")
    expect(idea.get_by_label("Motif")).to_be_focused()
    idea.get_by_label("Motif").select_option(label="Plusieurs idées en une")
    idea.get_by_role("button", name="Refuser").click()
    expect(page.get_by_role("status")).to_contain_text("refusée")
    page.get_by_role("link", name="Refusées").click()
    expect(page.locator("[data-idea]").first).to_contain_text("Plusieurs idées en une")


def test_a_moderator_corrects_and_translates_an_idea(page: Page, sms) -> None:  # noqa: ANN001
    idea_by_sms(sms, "+33639980144", "Il faut des jardin partagés")
    sign_in(page)
    idea = page.locator("[data-idea]").first
    idea.get_by_text("Corriger le texte").click()
    idea.get_by_label("Texte montré aux habitants").fill("Il faut des jardins partagés.")
    idea.get_by_role("button", name="Enregistrer le texte").click()
    expect(page.get_by_role("status")).to_contain_text("corrigée")
    idea = page.locator("[data-idea]").first
    expect(idea).to_contain_text("L'habitant a écrit : Il faut des jardin partagés")
    idea.get_by_text("Ajouter une traduction").click()
    idea.get_by_label("Langue").select_option("en")
    idea.get_by_label("Traduction", exact=True).fill("We need shared gardens.")
    idea.get_by_role("button", name="Enregistrer la traduction").click()
    expect(page.locator("[data-idea]").first).to_contain_text("We need shared gardens.")
    check(page, "moderation-edited")


def test_results_show_the_residents_votes(page: Page, sms) -> None:  # noqa: ANN001
    resident = Phone(sms, "+33639980143")
    resident.send("Bonjour")
    resident.send("1")
    resident.send("2")
    sign_in(page)
    page.get_by_role("link", name="Résultats").click()
    expect(page.get_by_text("1 participant,")).to_be_visible()
    expect(page.get_by_text("2 votes")).to_be_visible()
    expect(page.locator(".results li").first).to_contain_text("1 d'accord")
    # Participation over time: today's column, and the figures behind it.
    votes_per_day = page.locator("figure").filter(has_text="Votes par jour")
    expect(votes_per_day.locator(".columns span")).to_have_count(1)
    expect(votes_per_day.locator(".columns span")).to_be_visible()
    expect(votes_per_day).to_contain_text("2 en tout")
    page.get_by_text("Les chiffres, jour par jour").click()
    expect(page.locator("details table tbody tr")).to_contain_text("2 (SMS 2)")
    # The API's exports, downloaded through the page's own session.
    button = page.get_by_role("link", name="Télécharger polis/participants-votes.csv")
    expect(button).to_be_visible()
    with page.expect_download() as download:
        button.click()
    assert download.value.suggested_filename == "test-city-polis-participants-votes.csv"
    assert "n-votes" in Path(download.value.path()).read_text()
    check(page, "results")
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    expect(votes_per_day.locator(".columns span")).to_be_visible()
    check(page, "results-320px")


def test_a_simulated_sms_conversation(page: Page) -> None:
    sign_in(page)
    page.get_by_role("link", name="Simulateur").click()
    check(page, "simulator-empty")
    message = page.get_by_label("Message", exact=True)
    for text, expected in [
        ("Bonjour", "Proposition 1"),
        ("1", "Proposition 2"),
        ("idée", "Il faut..."),
        ("Il faut des jardins partagés", "Il faut des jardins partagés"),
        ("1", "Un modérateur va lire votre idée"),
    ]:
        message.fill(text)
        message.press("Enter")
        expect(page.locator(".from-parlons").last).to_contain_text(expected)
    expect(page.locator(".from-parlons").first).to_contain_text("GSM-7")
    check(page, "simulator-conversation")
    page.get_by_role("link", name="Résultats").click()
    expect(page.get_by_text("0 participant,")).to_be_visible()


def test_the_pages_fit_a_320_pixel_screen(page: Page) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page)
    for path in ["/staff/moderation", "/staff/results", "/staff/centres", "/staff/simulator"]:
        page.goto(path)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= 320, f"{path} scrolls sideways at 320 px ({scroll} px)"
    check(page, "simulator-320px")


def test_the_english_interface(page: Page) -> None:
    page.goto("/staff/sign-in?lang=en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("Your token").fill(ADMIN_TOKEN)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Moderation")
    check(page, "moderation-english")


def test_the_simulator_shows_a_kiosk_with_buttons(page: Page) -> None:
    sign_in(page)
    simulate(page, "kiosk", "Hello")
    last = page.locator(".from-parlons").last
    expect(last).to_contain_text("Proposal 1")
    last.get_by_role("button", name="Agree", exact=True).click()
    expect(page.locator(".from-resident").last).to_have_text("Vous : Agree")
    expect(page.locator(".from-parlons").last).to_contain_text("Proposal 2")
    check(page, "simulator-kiosk")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.telegram_bot_username = "ParlonsMulhouseBot"
    settings.twilio_caller_id = "+33 1 99 00 00 42"
    return settings


def add_centre(page: Page, name: str) -> Locator:
    page.goto("/staff/centres")
    page.get_by_label("Nom du centre").fill(name)
    page.get_by_role("button", name="Ajouter").click()
    return page.get_by_role("region", name=name)


def test_print_a_centres_poster(page: Page) -> None:
    sign_in(page)
    centre = add_centre(page, "Centre social Drouot")
    link = "https://t.me/ParlonsMulhouseBot?start=centre-social-drouot"
    expect(centre).to_contain_text(link)
    check(page, "centres")
    centre.get_by_role("link", name="Affiche à imprimer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Comment améliorer la vie à Mulhouse ?"
    )
    expect(page.get_by_text("Par SMS : envoyez BONJOUR au +33 1 99 00 00 42")).to_be_visible()
    expect(page.locator(".poster svg title")).to_have_text(link)  # the QR code of the link
    check(page, "poster")
    page.emulate_media(media="print")
    expect(page.locator("header")).to_be_hidden()  # a poster, not the page around it
    expect(page.get_by_role("button", name="Imprimer")).to_be_hidden()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.pdf(path=SCREENSHOTS / "poster.pdf", format="A4")
    assert (SCREENSHOTS / "poster.pdf").read_bytes().startswith(b"%PDF")


def open_kiosk(page: Page) -> str:
    """An admin adds a centre and a kiosk link; the kiosk's address on this server."""
    sign_in(page)
    centre = add_centre(page, "Maison de quartier Wagner")
    centre.get_by_role("button", name="Nouveau lien de borne").click()
    url = page.get_by_role("region", name="Maison de quartier Wagner").locator(
        "code", has_text="/kiosk/"
    )
    return "/kiosk/" + url.inner_text().split("/kiosk/")[1]


def vote_at_the_kiosk(kiosk: Page, language: str, choices: list[str]) -> None:
    kiosk.get_by_role("button", name=language).click()
    for choice in choices:
        kiosk.locator(".from-parlons").last.get_by_role("button", name=choice, exact=True).click()


def test_a_kiosk_residents_votes_count_for_the_centre(page: Page, browser: Browser, server) -> None:  # noqa: ANN001
    kiosk_path = open_kiosk(page)
    tablet = browser.new_context(base_url=server.url).new_page()  # no sign-in on the tablet
    tablet.goto(kiosk_path)
    check(tablet, "kiosk-start")
    vote_at_the_kiosk(tablet, "Français", ["D'accord", "Pas d'accord"])
    expect(tablet.locator(".from-parlons").last).to_contain_text("Proposition 3")
    check(tablet, "kiosk-conversation")
    tablet.get_by_role("link", name="Personne suivante").click()
    vote_at_the_kiosk(tablet, "English", ["Agree"])
    expect(tablet.locator("html")).to_have_attribute("lang", "en")  # its own words too
    expect(tablet.get_by_role("link", name="Next person")).to_be_visible()
    check(tablet, "kiosk-english")

    page.goto("/staff/centres")
    wagner = page.get_by_role("region", name="Maison de quartier Wagner")
    expect(wagner).to_contain_text("2 habitants amenés.")
    page.goto("/staff/results?centre=maison-de-quartier-wagner")
    expect(page.get_by_text("2 participants,")).to_be_visible()
    expect(page.get_by_text("3 votes")).to_be_visible()


def test_a_kiosk_starts_again_after_a_pause_and_stops_when_revoked(
    page: Page,
    browser: Browser,
    server,  # noqa: ANN001
) -> None:
    kiosk_path = open_kiosk(page)
    tablet = browser.new_context(base_url=server.url).new_page()
    tablet.clock.install()
    tablet.goto(kiosk_path)
    vote_at_the_kiosk(tablet, "English", ["Agree"])
    tablet.clock.fast_forward("01:59")
    expect(tablet.locator(".messages")).to_be_visible()
    tablet.clock.fast_forward("00:02")
    expect(tablet.get_by_text("Donnez votre avis sur votre ville")).to_be_visible()
    expect(tablet.locator(".messages")).to_have_count(0)

    page.goto("/staff/centres")
    page.get_by_role("button", name="Révoquer Lien de borne").click()
    tablet.goto(kiosk_path)
    expect(tablet.get_by_role("alert")).to_contain_text("ne marche plus")


def test_the_simulator_is_telegram_and_the_phone_too(page: Page) -> None:
    sign_in(page)
    simulate(page, "telegram", "Bonjour")
    last = page.locator(".from-parlons").last
    expect(last).to_contain_text("Proposition 1")
    last.get_by_role("button", name="👍 D'accord").click()
    expect(page.locator(".from-parlons").last).to_contain_text("Noté.")
    check(page, "simulator-telegram")

    page.get_by_label("Canal").select_option("voice")
    page.get_by_role("button", name="Nouvelle conversation").click()
    page.get_by_role("button", name="Envoyer").click()  # the call
    expect(page.locator(".from-parlons").first).to_contain_text("Choisissez votre langue")
    expect(page.locator(".messages .quiet").last).to_have_text(
        "La ligne attend des touches ou des mots."
    )
    message = page.get_by_label("Message", exact=True)
    for keys in ["1", "1"]:
        message.fill(keys)
        message.press("Enter")
    heard = page.locator(".messages")
    expect(heard).to_contain_text("D'accord : tapez 1. Pas d'accord : tapez 2.")
    expect(heard).to_contain_text("Noté.")
    expect(heard).to_contain_text("Proposition 2")
    check(page, "simulator-phone")


def big_idea(page: Page, title: str) -> Locator:
    return page.locator("section.idea").filter(has=page.get_by_role("heading", name=title))


def test_big_ideas_suggested_reviewed_split_merged_moved_renamed(
    page: Page, server: ServerThread
) -> None:
    api = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    at = "/api/v1/consultations/test-city/big-ideas"
    sign_in(page)
    page.get_by_role("link", name="Grandes idées").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grandes idées")

    # A suggestion is only shown: a person keeps it, unticking what does not belong.
    page.get_by_role("button", name="Suggérer un regroupement").click()
    expect(page.get_by_role("heading", name="Regroupement suggéré, à revoir")).to_be_visible()
    check(page, "big-ideas-suggested")
    assert api.get(at).json() == []
    first = page.locator("form.suggestion").first
    kept = [
        int(v)
        for v in first.locator("input[name=proposals]").evaluate_all(
            "boxes => boxes.map(b => b.value)"
        )
    ]
    first.get_by_label("Titre").fill("Suggérée")
    first.get_by_role("button", name="Créer cette grande idée").click()
    expect(big_idea(page, "Suggérée")).to_be_visible()
    assert [(i["title"]["fr"], i["proposals"]) for i in api.get(at).json()] == [
        ("Suggérée", sorted(kept))
    ]
    suggested = big_idea(page, "Suggérée")
    suggested.get_by_text("Renommer, fusionner ou supprimer").click()
    suggested.get_by_role("button", name="Supprimer cette grande idée").click()
    expect(page.get_by_text("Pas encore de grande idée")).to_be_visible()

    # By hand: three proposals into one big idea, then one split off into its own.
    for text in ("Il faut renforcer", "Il faut des bus", "Il faut plus de bancs"):
        page.get_by_label(text).check()
    page.get_by_label("Nouvelle grande idée pour les propositions cochées").fill("Vivre ensemble")
    page.get_by_role("button", name="Créer", exact=True).click()
    together = big_idea(page, "Vivre ensemble")
    together.get_by_label("Il faut plus de bancs").check()
    together.get_by_label("Nouvelle grande idée pour les propositions cochées").fill("Bancs")
    together.get_by_role("button", name="Scinder").click()
    expect(big_idea(page, "Bancs")).to_contain_text("Il faut plus de bancs")
    expect(big_idea(page, "Vivre ensemble")).not_to_contain_text("Il faut plus de bancs")

    # Move the repair café into "Bancs", then bring "Bancs" back into "Vivre ensemble".
    page.get_by_label("Proposition", exact=True).select_option(
        label="We need a repair café in every district."
    )
    page.get_by_label("Dans", exact=True).select_option(label="Bancs")
    page.get_by_role("button", name="Déplacer", exact=True).click()
    expect(big_idea(page, "Bancs")).to_contain_text("repair café")
    together = big_idea(page, "Vivre ensemble")
    together.get_by_text("Renommer, fusionner ou supprimer").click()
    together.get_by_label("Fusionner dans celle-ci").select_option(label="Bancs")
    together.get_by_role("button", name="Fusionner").click()
    expect(page.locator("section.idea")).to_have_count(1)

    # Renamed in English too; the report shows it in English.
    together = big_idea(page, "Vivre ensemble")
    together.get_by_text("Renommer, fusionner ou supprimer").click()
    together.get_by_label("Langue").select_option("en")
    together.get_by_label("Titre").fill("Living together")
    together.get_by_role("button", name="Renommer").click()
    ideas = api.get(at).json()
    assert [(i["title"], i["proposals"]) for i in ideas] == [
        ({"fr": "Vivre ensemble", "en": "Living together"}, [1, 2, 3, 4])
    ]
    actions = [e["action"] for e in reversed(api.get(f"{at}/log").json())]
    assert actions == [
        "create",
        "delete",
        "create",
        "split",
        "create",
        "arrange",
        "merge",
        "delete",
        "rename",
    ]
    check(page, "big-ideas")
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    check(page, "big-ideas-320px")

    page.get_by_label("Rapport en").select_option("en")
    page.get_by_role("button", name="Lire le rapport").click()
    expect(page.get_by_role("heading", name="The big ideas")).to_be_visible()
    expect(page.locator("section.idea h3")).to_contain_text("Living together")
    check(page, "report-en")
