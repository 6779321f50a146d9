"""The staff pages and forms as the app itself lists them, and what a request to each needs:
so that a test over every staff route covers a page added tomorrow too."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from tests.conftest import ADMIN_TOKEN, BOT_TOKEN

PUBLIC = {"/staff/sign-in"}  # the only staff route for someone not signed in
BASE = "/api/v1/consultations/test-city"


def staff_routes(client: TestClient) -> list[tuple[str, str, APIRoute]]:
    """(method, path, route) of every staff page and form the app serves."""
    return [
        (method, path, route)
        for path, route in app_routes(client.app)
        if path.startswith("/staff") and path not in PUBLIC
        for method in sorted(route.methods)
    ]


def app_routes(app: FastAPI) -> list[tuple[str, APIRoute]]:
    """Every route of the app with its full path (FastAPI >= 0.160 keeps included routers
    apart, each route under its router's prefix)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # an older FastAPI: the app's routes are flat
        pairs = [(route.path, route) for route in app.routes]
    else:
        pairs = [(c.path, c.original_route) for c in iter_route_contexts(app.routes)]
    return [(path, route) for path, route in pairs if isinstance(route, APIRoute)]


def filled(path: str, samples: dict[str, str]) -> str:
    for name in [part.strip("{}").split(":")[0] for part in path.split("/") if "{" in part]:
        assert name in samples, f"{path}: give the test a sample for {{{name}}}"
        path = path.replace(f"{{{name}}}", samples[name]).replace(f"{{{name}:path}}", samples[name])
    return path


def valid_form(route: APIRoute, csrf: str) -> dict[str, str]:
    """A form the route would take from a signed-in person."""
    samples = {
        "csrf": csrf, "text": "Une idée", "note": "", "reason": "partisan", "language": "en",
        "name": "Centre du Rebberg", "kind": "kiosk", "conversation": "0" * 32,
        "channel": "sms", "message_id": "1" * 32, "transcript": "[]", "pressed": "",
        "title": "Se déplacer", "description": "", "proposals": "1", "other": "1",
        "proposal": "1", "to": "1", "quoted": "true",
    }  # fmt: skip
    return {p.alias: samples[p.alias] for p in route.dependant.body_params}


def make_places(client: TestClient) -> dict[str, str]:
    """What the staff routes' paths name: an idea, a centre, a kiosk link, an export, a big
    idea."""
    idea = {"participant": "ref-revoked-01", "text": "Il faut plus de bancs au parc",
            "language": "fr", "channel": "sms", "idempotency_key": "sms:SMrevoked:0"}  # fmt: skip
    made = client.post(f"{BASE}/ideas", json=idea, headers={"Authorization": f"Bearer {BOT_TOKEN}"})
    centres = client.app.state.parlons_web.centres
    centre = client.portal.call(centres.add, "Centre social Bourtzwiller")
    link = client.portal.call(centres.add_secret_link, centre.code, "kiosk")
    big_idea = client.post(
        f"{BASE}/big-ideas",
        json={"title": {"fr": "Bouger"}, "proposals": [1, 2]},
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    return {
        "cluster_id": str(big_idea.json()["id"]),
        "proposal_id": str(made.json()["id"]),
        "centre": centre.code,
        "code": link,
        "name": "ballots.csv",
    }
