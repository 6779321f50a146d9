"""Residents' ideas through moderation, the consultation's calendar, MMS, `parlons chat`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import Settings
from tests.conftest import (
    ADMIN_TOKEN,
    BOT_TOKEN,
    DATA,
    Phone,
    admin_get,
    send_idea,
    shown_until_done,
    sign,
    sms_form,
)

BASE = "/api/v1/consultations/test-city"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def test_an_accepted_idea_is_shown_to_others_and_a_rejected_one_never(client: TestClient) -> None:
    author = Phone(client, "+33639980130")
    author.send("Bonjour")
    send_idea(author, "Il faut un marché de producteurs le dimanche")
    send_idea(author, "Il faut interdire les chiens partout en ville")
    pending = admin_get(client, f"{BASE}/proposals?status=pending")
    by_text = {p["text"]: p["id"] for p in pending}
    assert len(by_text) == 2

    market = by_text["Il faut un marché de producteurs le dimanche"]
    dogs = by_text["Il faut interdire les chiens partout en ville"]
    bot = {"Authorization": f"Bearer {BOT_TOKEN}"}
    assert client.post(f"{BASE}/proposals/{market}/accept", headers=bot).status_code == 403
    assert client.post(f"{BASE}/proposals/{market}/accept", headers=ADMIN).status_code == 200
    rejected = client.post(
        f"{BASE}/proposals/{dogs}/reject", json={"reason": "several_ideas"}, headers=ADMIN
    )
    assert rejected.json()["status"] == "rejected"

    shown = shown_until_done(Phone(client, "+33639980131"))
    assert "Il faut un marché de producteurs le dimanche" in shown
    assert "Il faut interdire les chiens partout en ville" not in shown
    assert len(shown) == 5  # the four seeded proposals and the accepted idea


def test_pending_ideas_are_for_moderators_only(client: TestClient) -> None:
    assert client.get(f"{BASE}/proposals?status=pending").status_code == 401
    bot = {"Authorization": f"Bearer {BOT_TOKEN}"}
    assert client.get(f"{BASE}/proposals?status=pending", headers=bot).status_code == 403


def consultation_with(tmp_path: Path, **dates: str) -> Path:
    spec = yaml.safe_load((DATA / "consultation.yaml").read_text(encoding="utf-8"))
    spec.update(dates)
    path = tmp_path / "consultation.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return path


def test_before_the_opening_residents_are_told_when(settings: Settings, tmp_path: Path) -> None:
    settings.consultation = consultation_with(tmp_path, opens="2099-03-01T09:00:00+01:00")
    with TestClient(create_app(settings)) as client:
        reply = Phone(client, "+33639980140").send("Bonjour")
    assert reply == "La consultation ouvre le 1 mars 2099. Réécrivez-nous à partir de ce jour !"


def test_after_the_closing_residents_hear_what_comes_next(
    settings: Settings, tmp_path: Path
) -> None:
    settings.consultation = consultation_with(
        tmp_path, opens="2021-10-27T00:00:00+02:00", closes="2021-12-19T23:59:00+01:00"
    )
    with TestClient(create_app(settings)) as client:
        phone = Phone(client, "+33639980141")
        reply = phone.send("1")
        assert phone.send("STOP").startswith("Vous ne recevrez plus")  # STOP works whenever
    assert reply == (
        "La consultation a fermé le 19 décembre 2021. Merci à toutes et à tous d'avoir "
        "participé ! Les résultats seront présentés en public au printemps."
    )


def test_a_picture_without_text_gets_text_only_please(client: TestClient) -> None:
    phone = Phone(client, "+33639980142")
    phone.send("Bonjour")
    form = {**sms_form(phone.number, ""), "NumMedia": "1", "MediaUrl0": "https://x.test/a.jpg"}
    form["MediaContentType0"] = "image/jpeg"
    url = "https://parlons.example.org/webhooks/twilio/sms"
    response = client.post(
        "/webhooks/twilio/sms", data=form, headers={"X-Twilio-Signature": sign(url, form)}
    )
    assert "nous ne lisons que le texte" in response.text
    assert "Proposition 1 : " in response.text  # and the question is asked again


def test_parlons_chat_speaks_sms_and_counts_segments(tmp_path: Path) -> None:
    env = {"PARLONS_CONSULTATION": str(DATA / "consultation.yaml"), "PATH": "/usr/bin:/bin"}
    run = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat"],
        input="Bonjour\n1\n2\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=True,
    )
    out = run.stdout
    assert "Proposition 1 : Il faut renforcer l'aide alimentaire" in out
    assert "Proposition 3 : Il faut plus de bancs" in out
    assert out.count("[GSM-7, ") == 3 and "1 SMS]" in out
    assert "3 replies," in out
    assert not (tmp_path / "var").exists()  # a practice run keeps nothing
