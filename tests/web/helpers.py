"""What the staff page's tests share: signing in as staff do, and reading a page's form."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from tests.conftest import ADMIN_TOKEN

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def form_fields(page: str) -> dict[str, str]:
    """The hidden fields of the last form on the page (what a browser would send back)."""
    fields = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page)
    return {name: html.unescape(value) for name, value in fields}


def sign_in(client: TestClient, token: str = ADMIN_TOKEN):  # noqa: ANN201
    page = client.get("/staff/sign-in")
    return client.post(
        "/staff/sign-in",
        data={"token": token, "csrf": form_fields(page.text)["csrf"]},
        follow_redirects=False,
    )
