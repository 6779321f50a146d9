"""The big ideas page without a browser: an analyst groups proposals through it (the API keeps
what the page asked, under the analyst's name), the report is read and downloaded in any
offered language, and a moderator chooses the quotes it prints."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.web.helpers import ADMIN, form_fields, sign_in

BASE = "/api/v1/consultations/test-city"


@pytest.fixture
def analyst(client: TestClient) -> TestClient:
    made = client.post("/api/v1/tokens", json={"name": "carla", "role": "analyst"}, headers=ADMIN)
    assert sign_in(client, made.json()["token"]).status_code == 303
    return client


def csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def test_an_analyst_creates_a_big_idea_from_a_suggestion(analyst: TestClient) -> None:
    page = analyst.get("/staff/big-ideas")
    assert page.status_code == 200
    assert 'href="/staff/big-ideas"' in page.text and "Grandes idées" in page.text
    suggested = analyst.get("/staff/big-ideas", params={"suggest": "1"})
    assert "Regroupement suggéré, à revoir" in suggested.text
    assert analyst.get(f"{BASE}/big-ideas", headers=ADMIN).json() == []  # nothing kept yet
    made = analyst.post(
        "/staff/big-ideas/create",
        data={"csrf": csrf(suggested.text), "title": "Se déplacer", "proposals": ["2", "3"]},
        follow_redirects=False,
    )
    assert made.status_code == 303
    stored = analyst.get(f"{BASE}/big-ideas", headers=ADMIN).json()
    assert [(i["title"], i["proposals"]) for i in stored] == [({"fr": "Se déplacer"}, [2, 3])]
    assert analyst.get(f"{BASE}/big-ideas/log", headers=ADMIN).json()[0]["actor"] == "carla"
    assert "Se déplacer" in analyst.get("/staff/big-ideas").text


def test_a_form_without_its_csrf_token_changes_nothing(analyst: TestClient) -> None:
    refused = analyst.post(
        "/staff/big-ideas/create", data={"csrf": "forged", "title": "X", "proposals": ["1"]}
    )
    assert refused.status_code == 403
    assert analyst.get(f"{BASE}/big-ideas", headers=ADMIN).json() == []


def test_the_report_in_each_language_and_as_a_file(analyst: TestClient) -> None:
    french = analyst.get("/staff/big-ideas/report")
    assert french.status_code == 200
    assert '<html lang="fr" dir="ltr">' in french.text
    assert "Rapport de synthèse" in french.text
    english = analyst.get("/staff/big-ideas/report", params={"language": "en"})
    assert '<html lang="en" dir="ltr">' in english.text and "Synthesis report" in english.text
    download = analyst.get("/staff/big-ideas/report.html", params={"language": "en"})
    assert download.headers["content-disposition"] == (
        'attachment; filename="report-test-city-en.html"'
    )
    assert download.text == english.text
    # German is not offered by the test consultation: a page that says so, not a 500.
    assert analyst.get("/staff/big-ideas/report", params={"language": "de"}).status_code == 422


def test_an_analyst_may_not_choose_quotes_a_moderator_may(client: TestClient) -> None:
    made = client.post("/api/v1/tokens", json={"name": "carla", "role": "analyst"}, headers=ADMIN)
    sign_in(client, made.json()["token"])
    page = client.get("/staff/big-ideas")
    assert "Citations dans le rapport" not in page.text
    refused = client.post(
        "/staff/big-ideas/quote",
        data={"csrf": csrf(page.text), "proposal": "2", "quoted": "true"},
    )
    assert refused.status_code == 403
    client.cookies.clear()
    sign_in(client)  # the admin, a moderator to the page
    page = client.get("/staff/big-ideas")
    assert "Citations dans le rapport" in page.text
    chosen = client.post(
        "/staff/big-ideas/quote",
        data={"csrf": form_fields(page.text)["csrf"], "proposal": "2", "quoted": "true"},
        follow_redirects=False,
    )
    assert chosen.status_code == 303
    report = client.get("/staff/big-ideas/report").text
    assert "Il faut des bus la nuit le week-end." in report.split("Avec les mots des habitants")[1]
