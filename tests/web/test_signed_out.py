"""A revoked token is signed out of every staff page and form at once (the routes listed from
the app itself, so a new page cannot be forgotten), and the sign-in cookie is Secure whenever
the public address is https, whatever the last hop."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import Settings
from bot.web.sign_in import COOKIE
from tests.conftest import ADMIN_TOKEN
from tests.web.helpers import ADMIN, form_fields, sign_in
from tests.web.staff_routes import filled, make_places, staff_routes, valid_form


@pytest.fixture
def places(client: TestClient) -> dict[str, str]:
    return make_places(client)


@pytest.mark.parametrize(
    ("role", "ending"),
    [("moderator", "revoked"), ("analyst", "revoked"), ("admin", "revoked"),
     ("moderator", "expired")],
)  # fmt: skip
def test_a_revoked_or_expired_token_is_signed_out_of_every_staff_route(
    client: TestClient, places: dict[str, str], role: str, ending: str
) -> None:
    made = client.post("/api/v1/tokens", json={"name": "mona", "role": role}, headers=ADMIN)
    assert sign_in(client, made.json()["token"]).status_code == 303
    home = "/staff/results" if role == "analyst" else "/staff/moderation"
    csrf = form_fields(client.get(home).text)["csrf"]
    cookie = client.cookies[COOKIE]
    client.cookies.clear()
    routes = staff_routes(client)
    assert {"/staff/centres", "/staff/centres/{centre}/poster", "/staff/simulator"} <= {
        path for _, path, _ in routes
    }

    def ask(method: str, path: str, route: APIRoute) -> httpx.Response:
        data = valid_form(route, csrf) if method == "POST" else None
        headers = {"Cookie": f"{COOKIE}={cookie}"}
        url = filled(path, places)
        return client.request(method, url, data=data, headers=headers, follow_redirects=False)

    for method, path, route in routes:  # signed in: not sent to the sign-in page
        if method == "GET":
            answer = ask(method, path, route)
            assert answer.headers.get("location") != "/staff/sign-in", path

    if ending == "revoked":
        token_id = made.json()["id"]
        assert client.delete(f"/api/v1/tokens/{token_id}", headers=ADMIN).status_code == 200
    else:  # the same cookie, as if sealed 9 hours ago (a sign-in lasts 8)
        fernet = client.app.state.parlons_web.seal._fernet
        sealed = fernet.decrypt(cookie.encode())
        cookie = fernet.encrypt_at_time(sealed, int(time.time()) - 9 * 3600).decode()

    for method, path, route in routes:
        answer = ask(method, path, route)
        assert (answer.status_code, answer.headers.get("location")) == (303, "/staff/sign-in"), (
            method,
            path,
        )
        assert f'{COOKIE}=""' in answer.headers.get("set-cookie", ""), (method, path)
    assert "Centre du Rebberg" not in str(
        client.portal.call(client.app.state.parlons_web.centres.listing)
    )


def sign_in_over(client: TestClient) -> httpx.Response:
    """Sign in as a browser would, whatever the hop: the sign-in form's cookie sent back."""
    page = client.get("/staff/sign-in")
    return client.post(
        "/staff/sign-in",
        data={"token": ADMIN_TOKEN, "csrf": form_fields(page.text)["csrf"]},
        headers={"Cookie": f"parlons_sign_in={page.cookies['parlons_sign_in']}"},
        follow_redirects=False,
    )


def cookie_flags(response: httpx.Response) -> set[str]:
    header = next(c for c in response.headers.get_list("set-cookie") if c.startswith(COOKIE))
    return {part.strip().split("=")[0] for part in header.split(";")[1:]}


@pytest.mark.parametrize(
    ("public_url", "hop", "secure"),
    [
        ("https://parlons.example.org", "http://10.0.0.5:8000", True),  # behind a balancer
        ("https://parlons.example.org", "https://parlons.example.org", True),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000", False),  # `make run` on a laptop
    ],
)
def test_the_cookie_is_secure_whenever_the_public_address_is_https(
    settings: Settings, public_url: str, hop: str, secure: bool
) -> None:
    settings.public_url = public_url
    with TestClient(create_app(settings), base_url=hop) as client:
        response = sign_in_over(client)
    assert response.status_code == 303, response.text
    flags = cookie_flags(response)
    assert {"HttpOnly", "SameSite", "Max-Age"} <= flags
    assert ("Secure" in flags) is secure


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def serve(settings: Settings) -> Iterator:
    """`parlons serve` as a process, on an http public address (so only the hop decides)."""
    running: list[subprocess.Popen] = []

    def start(forwarded_allow_ips: str) -> str:
        port = free_port()
        env = {
            **os.environ,
            "PARLONS_DATABASE_URL": settings.database_url,
            "PARLONS_CONSULTATION": str(settings.consultation),
            "PARLONS_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "PARLONS_FORWARDED_ALLOW_IPS": forwarded_allow_ips,
        }
        command = [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)]
        running.append(subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL))  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        for _ in range(600):  # not timed: a busy machine starts slowly
            try:
                if httpx.get(f"{url}/healthz").status_code == 200:
                    return url
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError("parlons serve did not start")

    yield start
    for process in running:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.parametrize(("trusted", "secure"), [("127.0.0.1", True), ("10.9.8.7", False)])
def test_proxy_headers_are_trusted_from_the_configured_addresses_only(
    serve, trusted: str, secure: bool
) -> None:
    """PARLONS_FORWARDED_ALLOW_IPS reaches uvicorn: X-Forwarded-Proto from our balancer
    (here 127.0.0.1) makes the request https; from anyone else it is ignored."""
    url = serve(trusted)
    page = httpx.get(f"{url}/staff/sign-in", headers={"X-Forwarded-Proto": "https"})
    form_cookie = next(c for c in page.headers.get_list("set-cookie") if "parlons_sign_in" in c)
    assert ("Secure" in form_cookie) is secure
