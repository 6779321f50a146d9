"""The city's analysts on the staff page: the results and their downloads, nothing else."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Phone
from tests.web.helpers import ADMIN, form_fields, sign_in


@pytest.fixture
def analyst(client: TestClient, phone: Phone) -> TestClient:
    """A resident voted; an analyst signed in with the token an admin made for them."""
    phone.send("Bonjour")
    phone.send("1")
    made = client.post("/api/v1/tokens", json={"name": "carla", "role": "analyst"}, headers=ADMIN)
    signed = sign_in(client, made.json()["token"])
    assert signed.status_code == 303
    assert signed.headers["location"] == "/staff/results"
    return client


def test_an_analyst_reads_the_results_and_downloads_the_exports(analyst: TestClient) -> None:
    page = analyst.get("/staff/results")
    assert page.status_code == 200
    assert "Résultats" in page.text
    assert 'href="/staff/results/exports/polis/participants-votes.csv"' in page.text
    export = analyst.get("/staff/results/exports/polis/participants-votes.csv")
    assert export.status_code == 200
    assert list(csv.DictReader(io.StringIO(export.text)))[0]["n-votes"] == "1"
    shown = analyst.get("/staff/results/results.csv")
    assert shown.status_code == 200
    assert sum(int(row["votes"]) for row in csv.DictReader(io.StringIO(shown.text))) == 1
    # The other pages are not offered.
    for path in ("/staff/moderation", "/staff/centres", "/staff/simulator"):
        assert f'href="{path}"' not in page.text


@pytest.mark.parametrize(
    "path", ["/staff/", "/staff/moderation", "/staff/centres", "/staff/simulator"]
)
def test_an_analyst_asking_for_another_page_gets_the_results(
    analyst: TestClient, path: str
) -> None:
    response = analyst.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/results"


def test_an_analyst_can_change_nothing(analyst: TestClient) -> None:
    csrf = form_fields(analyst.get("/staff/results").text)["csrf"]
    for path, form in [
        ("/staff/centres", {"name": "Centre X"}),
        ("/staff/centres/centre-x/links", {"kind": "mediator"}),
        ("/staff/centres/links/centre-x/revoke", {}),
        ("/staff/moderation/1/accept", {}),
        ("/staff/simulator", {"text": "Bonjour"}),
    ]:
        refused = analyst.post(path, data={**form, "csrf": csrf}, follow_redirects=False)
        assert refused.status_code == 403, path
    assert analyst.get("/staff/centres/centre-x/poster", follow_redirects=False).status_code == 303
    sign_in(analyst)  # an admin now: no centre was added
    assert "Centre X" not in analyst.get("/staff/centres").text
