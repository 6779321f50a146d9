"""`parlons demo` and `parlons report` as a newcomer runs them on a fresh database: generated
residents only in the demo consultation, marked as a demo in the results, the exports and the
report; the report in the default language and right to left in Arabic; the PDF printed by
Debian's Chromium when it is installed."""

from __future__ import annotations

import csv
import html
import io
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import DEMO_CONSULTATION, Settings
from tests.conftest import ADMIN_TOKEN, DATA

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
DEMO = "/api/v1/consultations/mulhouse"


@pytest.fixture
def demo_settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("PARLONS_CONSULTATION", str(DEMO_CONSULTATION))
    settings.consultation = DEMO_CONSULTATION
    return settings


def test_demo_residents_are_refused_in_a_real_consultation(
    parlons, settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:  # noqa: ANN001
    monkeypatch.setenv("PARLONS_CONSULTATION", str(DATA / "consultation.yaml"))
    with pytest.raises(SystemExit) as stopped:
        parlons("demo", "--residents", "5")
    assert stopped.value.code == 2
    assert "not a demo consultation" in capsys.readouterr().err
    with TestClient(create_app(settings)) as client:
        results = client.get("/api/v1/consultations/test-city/results", headers=ADMIN).json()
    assert (results["participants"], results["demo"]) == (0, 0)


def test_the_demo_is_counted_and_marked_everywhere(
    parlons, demo_settings: Settings, tmp_path: Path
) -> None:  # noqa: ANN001
    with pytest.raises(SystemExit) as done:
        parlons("demo", "--residents", "60", "--seed", "7")
    assert done.value.code == 0
    with pytest.raises(SystemExit):
        parlons("demo", "--residents", "60", "--seed", "7")  # the same residents: nobody twice
    with TestClient(create_app(demo_settings)) as client:
        results = client.get(f"{DEMO}/results", headers=ADMIN).json()
        exported = client.get(f"{DEMO}/exports/participants.csv", headers=ADMIN).text
        ideas = client.get(f"{DEMO}/big-ideas", headers=ADMIN).json()
        log = client.get(f"{DEMO}/big-ideas/log", headers=ADMIN).json()
    assert (results["participants"], results["demo"]) == (60, 60)  # counted, and said so
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert len(rows) == 60 and {r["demo"] for r in rows} == {"demo"}
    assert ideas and {e["actor"] for e in log} == {"parlons demo"}

    with pytest.raises(SystemExit) as written:
        parlons("report", "--html", str(tmp_path / "fr.html"))
    assert written.value.code == 0
    french = html.unescape((tmp_path / "fr.html").read_text())
    assert '<html lang="fr" dir="ltr">' in french
    assert "DÉMO : ces résultats viennent d'habitants générés" in french
    assert "Comment améliorer la vie à Mulhouse ?" in french
    assert "<svg" in french and "60</strong>habitants ont participé" in french

    with pytest.raises(SystemExit):
        parlons("report", "--html", str(tmp_path / "ar.html"), "--language", "ar")
    arabic = (tmp_path / "ar.html").read_text()
    assert '<html lang="ar" dir="rtl">' in arabic
    assert "كيف نجعل الحياة في ميلوز أفضل؟" in arabic and "الأفكار الكبرى" in arabic


def test_a_language_the_consultation_does_not_offer_is_refused(
    parlons, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:  # noqa: ANN001
    monkeypatch.setenv("PARLONS_CONSULTATION", str(DATA / "consultation.yaml"))
    with pytest.raises(SystemExit) as refused:
        parlons("report", "--html", str(tmp_path / "r.html"), "--language", "ar")
    assert refused.value.code == 2
    assert not (tmp_path / "r.html").exists()


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed")
def test_the_pdf_is_printed_from_the_same_page(
    parlons, demo_settings: Settings, tmp_path: Path
) -> None:  # noqa: ANN001
    with pytest.raises(SystemExit):
        parlons("demo", "--residents", "30")
    with pytest.raises(SystemExit) as printed:
        parlons("report", "--html", str(tmp_path / "r.html"), "--pdf", str(tmp_path / "r.pdf"))
    assert printed.value.code == 0
    pdf = (tmp_path / "r.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 2


def test_a_consultation_nobody_voted_in_yet_still_has_a_report(
    parlons, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:  # noqa: ANN001
    monkeypatch.setenv("PARLONS_CONSULTATION", str(DATA / "consultation.yaml"))
    with pytest.raises(SystemExit) as written:
        parlons("report", "--html", str(tmp_path / "r.html"))
    assert written.value.code == 0
    page = html.unescape((tmp_path / "r.html").read_text())
    assert "Aucune grande idée n'a encore été constituée." in page
    assert "Aucune citation n'a encore été choisie." in page
    assert "DÉMO" not in page  # a real consultation is never called a demo
