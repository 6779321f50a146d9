"""The staff web page over HTTP: sign-in, its cookie, CSRF, and simulated conversations kept
out of the results. (tests/web/test_browser.py drives the same pages in Chromium.)"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import Settings
from bot.web.sign_in import COOKIE
from tests.api.helpers import cast_at, vote
from tests.conftest import ADMIN_TOKEN, BOT_TOKEN, Phone, ServerThread, results
from tests.fakes import FakeTelegram, FakeTwilio
from tests.web.helpers import ADMIN, form_fields, sign_in


@pytest.mark.parametrize(
    "path",
    [
        "/staff/",
        "/staff/moderation",
        "/staff/results",
        "/staff/simulator",
        "/staff/results/exports/ballots.csv",
    ],
)
def test_nothing_is_visible_without_signing_in(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/sign-in"


def test_the_sign_in_cookie_is_http_only_strict_and_expires(client: TestClient) -> None:
    response = sign_in(client)
    assert response.status_code == 303
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(COOKIE))
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Max-Age=28800" in cookie  # PARLONS_WEB_SESSION_HOURS, 8 by default
    assert ADMIN_TOKEN not in cookie  # sealed: the token cannot be read from it
    assert client.get("/staff/moderation").status_code == 200


@pytest.mark.parametrize("token", ["not-a-token", BOT_TOKEN], ids=["unknown", "bot"])
def test_a_token_that_may_not_moderate_cannot_sign_in(client: TestClient, token: str) -> None:
    response = sign_in(client, token)
    assert response.status_code == 401
    assert "ne permet pas de se connecter ici" in response.text
    assert client.get("/staff/moderation", follow_redirects=False).status_code == 303


def test_a_forged_cookie_signs_no_one_in(client: TestClient) -> None:
    client.cookies.set(COOKIE, "gAAAAABforged")
    assert client.get("/staff/moderation", follow_redirects=False).status_code == 303


def test_a_form_without_the_csrf_token_changes_nothing(client: TestClient, phone: Phone) -> None:
    phone.send("Bonjour")
    phone.send("idée")
    phone.send("Il faut un marché de producteurs le dimanche")
    phone.send("1")
    sign_in(client)
    page = client.get("/staff/moderation").text
    idea = re.search(r'action="/staff/moderation/(\d+)/accept"', page).group(1)
    forged = client.post(f"/staff/moderation/{idea}/accept", data={"csrf": "guessed"})
    assert forged.status_code == 403
    assert "Il faut un marché" in client.get("/staff/moderation").text  # still waiting


def test_simulated_votes_never_reach_the_results(client: TestClient) -> None:
    sign_in(client)
    page = client.get("/staff/simulator").text
    for text in ["Bonjour", "1", "2"]:
        page = client.post("/staff/simulator", data={**form_fields(page), "text": text}).text
    assert "Proposition 3" in page  # the conversation went on as a resident's would
    counted = results(client)
    assert sum(p["votes"] for p in counted.values()) == 0
    data = client.get(
        "/api/v1/consultations/test-city/results",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    ).json()
    assert data["participants"] == 0


def test_posting_the_same_simulator_form_twice_is_one_message(client: TestClient) -> None:
    sign_in(client)
    page = client.get("/staff/simulator").text
    page = client.post("/staff/simulator", data={**form_fields(page), "text": "Bonjour"}).text
    fields = {**form_fields(page), "text": "1"}
    first = client.post("/staff/simulator", data=fields).text
    again = client.post("/staff/simulator", data=fields).text
    assert "Proposition 2" in first and "Proposition 2" in again
    assert "Proposition 3" not in again  # the re-post was not a second vote


def test_the_french_interface_is_complete() -> None:
    from importlib.resources import files

    from babel.messages.pofile import read_po

    locales = files("locales")
    with (locales / "web.pot").open("rb") as f:
        source = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    with (locales / "fr" / "LC_MESSAGES" / "web.po").open("rb") as f:
        french = read_po(f, locale="fr")
    have = {m.id if isinstance(m.id, str) else m.id[0] for m in french if m.id}
    assert source == have, "run `make messages` and translate locales/fr/LC_MESSAGES/web.po"
    untranslated = [
        m.id for m in french if m.id and not all(m.string if m.pluralizable else [m.string])
    ]
    assert untranslated == []
    assert [m.id for m in french if m.id and m.fuzzy] == []
    assert [(m.id, errors) for m, errors in french.check()] == []


def test_results_download_as_csv(client: TestClient, phone: Phone) -> None:
    phone.send("Bonjour")
    phone.send("1")
    sign_in(client)
    response = client.get("/staff/results/results.csv?channel=sms")
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows[0]["rank"] == "1"
    assert rows[0]["text"] == "Il faut renforcer l'aide alimentaire dans chaque quartier."
    assert rows[0]["agree"] == "1"


def test_the_results_page_draws_participation_over_time(
    client: TestClient, settings: Settings
) -> None:
    vote(client, "ref-early-001", {1: "agree", 2: "disagree"})
    vote(client, "ref-early-002", {1: "agree"}, channel="telegram")
    vote(client, "ref-later-001", {1: "skip"})
    for who, proposal, moment in [
        ("ref-early-001", 1, "2026-03-02T09:00"),
        ("ref-early-001", 2, "2026-03-02T09:01"),
        ("ref-early-002", 1, "2026-03-02T20:00"),
        ("ref-later-001", 1, "2026-03-04T11:00"),
    ]:
        cast_at(settings, who, proposal, moment)
    sign_in(client)
    page = client.get("/staff/results").text
    assert "Votes par jour" in page and "Nouveaux participants par jour" in page
    # A column a day, 2 to 4 March, as high as its share of the busiest day.
    votes, newcomers = re.findall(
        r'<div class="columns" aria-hidden="true">(.*?)</div>', page, re.S
    )
    assert re.findall(r"height: ([\d.]+)%", votes) == ["100.0", "0.0", "33.3"]
    assert re.findall(r"height: ([\d.]+)%", newcomers) == ["100.0", "0.0", "50.0"]
    assert "3 en tout. Le plus : 2, 2 mars 2026." in page  # newcomers, said in words
    # The figures for a screen reader (and anyone who opens them).
    rows = re.findall(r'<tr><th scope="row">(.*?)</th><td>(.*?)</td>\s*<td>(\d+)</td>', page)
    assert [(day, re.sub("<.*?>", "", votes), new) for day, votes, new in rows] == [
        ("2 mars 2026", "3 (SMS 2, TELEGRAM 1)", "2"),
        ("3 mars 2026", "0", "0"),
        ("4 mars 2026", "1 (SMS 1)", "1"),
    ]


def test_a_long_consultation_is_drawn_by_week_then_by_month(
    client: TestClient, settings: Settings
) -> None:
    vote(client, "ref-january-1", {1: "agree"})
    vote(client, "ref-march-001", {1: "agree", 2: "agree"})
    cast_at(settings, "ref-january-1", 1, "2026-01-07T10:00")  # a Wednesday
    cast_at(settings, "ref-march-001", 1, "2026-03-16T10:00")  # 68 days later, a Monday
    cast_at(settings, "ref-march-001", 2, "2026-03-22T10:00")  # that week's Sunday
    sign_in(client)
    page = client.get("/staff/results").text
    assert "Votes par semaine" in page
    rows = re.findall(r'<tr><th scope="row">(.*?)</th><td>(\d+).*?</td>\s*<td>(\d+)</td>', page)
    assert len(rows) == 11  # weeks from Monday 5 January to Monday 16 March
    assert rows[0] == ("semaine du 5 janv. 2026", "1", "1")
    assert rows[-1] == ("semaine du 16 mars 2026", "2", "1")
    # Over a year: a bar a month.
    cast_at(settings, "ref-march-001", 2, "2027-04-30T10:00")
    page = client.get("/staff/results").text
    assert "Votes par mois" in page
    rows = re.findall(r'<tr><th scope="row">(.*?)</th><td>(\d+).*?</td>\s*<td>(\d+)</td>', page)
    assert len(rows) == 16  # January 2026 to April 2027
    assert rows[0] == ("janvier 2026", "1", "1")
    assert rows[2] == ("mars 2026", "1", "1")
    assert rows[-1] == ("avril 2027", "1", "0")


def test_a_signed_in_admin_downloads_the_api_exports(client: TestClient, phone: Phone) -> None:
    phone.send("Bonjour")
    phone.send("1")
    sign_in(client)
    page = client.get("/staff/results").text
    assert 'href="/staff/results/exports/polis/participants-votes.csv"' in page
    name = "polis/participants-votes.csv"
    mine = client.get(f"/staff/results/exports/{name}")
    api = client.get(f"/api/v1/consultations/test-city/exports/{name}", headers=ADMIN)
    assert mine.status_code == 200
    assert mine.content == api.content
    assert mine.headers["content-type"] == "text/csv; charset=utf-8"
    disposition = 'attachment; filename="test-city-polis-participants-votes.csv"'
    assert mine.headers["content-disposition"] == disposition
    voter = list(csv.DictReader(io.StringIO(mine.text)))[0]
    assert voter["n-votes"] == "1"
    assert client.get("/staff/results/exports/secrets.csv").status_code == 404


def test_a_moderator_is_offered_no_export(client: TestClient) -> None:
    made = client.post("/api/v1/tokens", json={"name": "bob", "role": "moderator"}, headers=ADMIN)
    sign_in(client, made.json()["token"])
    page = client.get("/staff/results").text
    assert "/staff/results/exports/" not in page
    assert "Seul le jeton d'un analyste ou d'un administrateur" in html.unescape(page)
    assert client.get("/staff/results/exports/ballots.csv").status_code == 403


def test_only_an_admin_changes_the_centres(client: TestClient) -> None:
    made = client.post("/api/v1/tokens", json={"name": "alice", "role": "moderator"}, headers=ADMIN)
    sign_in(client, made.json()["token"])
    page = client.get("/staff/centres").text
    assert "Ajouter un centre" not in page  # a moderator sees the centres, changes none
    refused = client.post(
        "/staff/centres", data={"csrf": form_fields(page)["csrf"], "name": "Centre X"}
    )
    assert refused.status_code == 403
    assert "Centre X" not in client.get("/staff/centres").text


@pytest.fixture
def recording_servers(settings: Settings) -> Iterator[tuple[FakeTwilio, FakeTelegram]]:
    twilio, bot_api = FakeTwilio(), FakeTelegram(token="123:recordings")
    with ServerThread(twilio.app()) as twilio_server, ServerThread(bot_api.app()) as bot_server:
        settings.twilio_api_url = twilio_server.url
        settings.twilio_account_sid = "AC" + "0" * 32
        settings.telegram_api_url = bot_server.url
        settings.telegram_bot_token = bot_api.token
        yield twilio, bot_api


def voice_idea(client: TestClient, audio: str, key: str) -> int:
    idea = {"participant": f"resident-{key}", "text": "(audio)", "language": "fr",
            "channel": "voice", "audio": audio, "idempotency_key": f"idea-{key}"}  # fmt: skip
    bot = {"Authorization": f"Bearer {BOT_TOKEN}"}
    response = client.post("/api/v1/consultations/test-city/ideas", json=idea, headers=bot)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_a_moderator_hears_phone_and_telegram_recordings(
    settings: Settings, recording_servers: tuple[FakeTwilio, FakeTelegram]
) -> None:
    twilio, bot_api = recording_servers
    twilio.recordings["RE1"] = b"ID3 phone idea"
    bot_api.files["AwACAgQ"] = b"OggS voice note"
    recording = f"{settings.twilio_api_url}/2010-04-01/Accounts/AC0/Recordings/RE1"
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        phone = voice_idea(client, recording, "phone")
        voice_note = voice_idea(client, "AwACAgQ", "telegram")
        elsewhere = voice_idea(client, "https://example.org/RE1", "elsewhere")
        sign_in(client)
        page = client.get("/staff/moderation").text
        assert f'src="/staff/moderation/{phone}/recording?status=pending"' in page
        heard = client.get(f"/staff/moderation/{phone}/recording")
        assert heard.content == b"ID3 phone idea"
        assert heard.headers["content-type"] == "audio/mpeg"
        heard = client.get(f"/staff/moderation/{voice_note}/recording")
        assert heard.content == b"OggS voice note"
        # Twilio's credentials never go to another host.
        assert client.get(f"/staff/moderation/{elsewhere}/recording").status_code == 404


def test_the_simulator_shows_whatsapps_buttons_and_a_tap_answers(client: TestClient) -> None:
    sign_in(client)
    page = client.get("/staff/simulator?channel=whatsapp").text
    page = client.post("/staff/simulator", data={**form_fields(page), "text": "Bonjour"}).text
    assert "⏭ Passer" in page and "Proposition 1" in page
    tapped = {**form_fields(page), "pressed": "1:agree|👍 D'accord"}
    page = client.post("/staff/simulator", data=tapped).text
    assert "Proposition 2" in page
    assert sum(p["votes"] for p in results(client).values()) == 0
