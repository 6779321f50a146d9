"""Whatever the API or the page refuses becomes a page a person understands (the field and
why, in their language), never a 500: every filter, form field and path part of every staff
route (as the app lists them) is tried over its limit."""

from __future__ import annotations

import html

import pytest
from fastapi.testclient import TestClient

from bot.web.results import FILTERS
from tests.web.helpers import form_fields, sign_in
from tests.web.staff_routes import filled, make_places, staff_routes, valid_form

LONG = "x" * 5000
NOTHING_CHANGED = "Rien n'a été changé."


@pytest.mark.parametrize(
    ("path", "field"), [("/staff/results", "district"), ("/staff/results/results.csv", "centre")]
)
def test_a_filter_the_api_refuses_is_named_with_its_limit(
    client: TestClient, path: str, field: str
) -> None:
    assert sign_in(client).status_code == 303
    answer = client.get(path, params={field: "x" * 84})
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("text/html")
    assert NOTHING_CHANGED in html.unescape(answer.text)
    label = {"district": "Quartier", "centre": "Centre"}[field]
    assert f"<strong>{label}</strong>: au plus 64 caractères" in answer.text
    assert "x" * 84 not in answer.text  # the input is not echoed back
    english = client.get(path, params={field: "x" * 84, "lang": "en"})
    assert "at most 64 characters" in english.text


def test_every_staff_filter_and_field_over_its_limit_is_a_page_not_a_5xx(
    client: TestClient,
) -> None:
    places = make_places(client)
    assert sign_in(client).status_code == 303  # an admin: every page and form
    csrf = form_fields(client.get("/staff/moderation").text)["csrf"]
    tried: list[tuple[str, str, str]] = []

    for method, path, route in staff_routes(client):
        form = valid_form(route, csrf) if method == "POST" else None
        queries = [p.alias for p in route.dependant.query_params]
        if path in ("/staff/results", "/staff/results/results.csv"):
            queries += FILTERS  # read from the query as they come
        attempts = [(f"query {q}", filled(path, places), {q: LONG}, form) for q in queries]
        attempts += [
            (f"form {field}", filled(path, places), {}, {**(form or {}), field: LONG})
            for field in (form or {})
            if field != "csrf" or path != "/staff/sign-out"
        ]
        attempts += [
            (f"path {name}", filled(path, {**places, name: LONG}), {}, form)
            for name in places
            if f"{{{name}" in path
        ]
        for what, url, params, data in attempts:
            answer = client.request(method, url, params=params, data=data, follow_redirects=False)
            tried.append((method, path, what))
            assert answer.status_code < 500, (method, path, what, answer.text[:300])
            if answer.status_code >= 400:
                assert answer.headers["content-type"].startswith("text/html"), (path, what)
                assert NOTHING_CHANGED in html.unescape(answer.text), (path, what)
        # Still signed in: nothing above signed the person out or broke the session.
        assert client.get("/staff/moderation").status_code == 200

    assert len(tried) > 30
    assert ("GET", "/staff/results", "query district") in tried
