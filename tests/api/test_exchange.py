"""Imports (all or nothing) and exports (ours and Pol.is's), through the HTTP API; a Pol.is
open-data conversation imported then exported gives back its participants-votes.csv."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from api import polis
from bot.app import create_app
from bot.settings import Settings
from tests.conftest import ADMIN_TOKEN, BOT_TOKEN, DATA, POLIS_OPEN_DATA

BASE = "/api/v1/consultations/test-city"
ADMIN, BOT = {"Authorization": f"Bearer {ADMIN_TOKEN}"}, {"Authorization": f"Bearer {BOT_TOKEN}"}
OPEN_DATA = POLIS_OPEN_DATA
CSV = {"Content-Type": "text/csv"}


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def header(text: str) -> list[str]:
    return next(csv.reader(io.StringIO(text)))


def exported(client: TestClient, name: str) -> str:
    response = client.get(f"{BASE}/exports/{name}", headers=ADMIN)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return response.text


def import_csv(client: TestClient, text: str, headers: dict = ADMIN):  # noqa: ANN201
    return client.post(
        f"{BASE}/proposals/import", content=text.encode(), headers={**headers, **CSV}
    )


GOOD = """key,text,language,theme,text_en
market,Il faut un marché de producteurs le dimanche.,fr,food,We need a farmers' market on Sundays.
library,We need the library open on Sundays.,en,culture,
"""


def test_a_proposals_csv_is_imported_whole(client: TestClient) -> None:
    assert import_csv(client, GOOD, BOT).status_code == 403
    assert import_csv(client, GOOD).json() == {"proposals": 2, "participants": 0, "ballots": 0}
    shown = {p["key"]: p for p in client.get(f"{BASE}/proposals").json()}
    assert shown["market"]["translations"] == {"en": "We need a farmers' market on Sundays."}
    assert shown["library"]["status"] == "accepted" and shown["library"]["theme"] == "culture"


def test_a_bad_row_refuses_the_whole_file_with_each_line_and_reason(client: TestClient) -> None:
    bad = GOOD + (
        "parking,Plus de parkings.,es,,\n"  # line 4: a language not offered
        "market,Encore le marché.,fr,,\n"  # line 5: the key is in the file already
        "empty,,fr,,\n"  # line 6: no text
        "benches,Des bancs.,fr,,\n"  # line 7: already in the consultation
    )
    response = import_csv(client, bad)
    assert response.status_code == 422
    problems = response.json()["detail"]["problems"]
    assert [p["line"] for p in problems] == [4, 5, 6, 7]
    assert "es" in problems[0]["reason"] and "market" in problems[1]["reason"]
    assert "text" in problems[2]["reason"]
    assert "market" not in {p["key"] for p in client.get(f"{BASE}/proposals").json()}


def test_a_taken_key_and_unknown_columns_are_refused(client: TestClient) -> None:
    taken = import_csv(client, "key,text,language\nbenches,Des bancs partout.,fr\n")
    assert taken.json()["detail"]["problems"] == [
        {"line": 2, "reason": "the key 'benches' is taken"}
    ]
    columns = import_csv(client, "key,text,language,colour\nx1,Une idée de plus.,fr,red\n")
    assert columns.json()["detail"]["problems"][0]["line"] == 1


def vote(client: TestClient, who: str, proposal: int, choice: str, key: str) -> None:
    ballot = {"participant": who, "proposal_id": proposal, "choice": choice, "channel": "sms",
              "idempotency_key": key}  # fmt: skip
    assert (
        client.post(f"{BASE}/ballots", json={"ballots": [ballot]}, headers=BOT).status_code == 200
    )


def test_exports_hold_numbers_never_refs(client: TestClient) -> None:
    vote(client, "ref-secret-aaaa", 1, "agree", "key-exp-0001")
    vote(client, "ref-secret-aaaa", 2, "skip", "key-exp-0002")
    vote(client, "ref-secret-bbbb", 1, "disagree", "key-exp-0003")
    client.put(f"{BASE}/participants/ref-secret-bbbb/profile",
               json={"channel": "sms", "district": "dornach"}, headers=BOT)  # fmt: skip
    names = client.get(f"{BASE}/exports", headers=ADMIN).json()
    texts = {name: exported(client, name) for name in names}
    assert not any("ref-secret" in text for text in texts.values())

    ballots = rows(texts["ballots.csv"])
    assert [(b["participant"], b["proposal_id"], b["choice"]) for b in ballots] == [
        ("0", "1", "agree"), ("0", "2", "skip"), ("1", "1", "disagree"),
    ]  # fmt: skip
    people = {p["participant"]: p for p in rows(texts["participants.csv"])}
    assert (people["1"]["district"], people["1"]["ballots"]) == ("dornach", "1")
    votes = rows(texts["polis/votes.csv"])
    assert sorted((v["voter-id"], v["comment-id"], v["vote"]) for v in votes) == [
        ("0", "0", "1"), ("0", "1", "0"), ("1", "0", "-1"),
    ]  # fmt: skip
    results = rows(texts["results.csv"])
    assert results[0]["rank"] == "1" and {r["id"] for r in results} == {"1", "2", "3", "4"}
    assert client.get(f"{BASE}/exports/ballots.csv", headers=BOT).status_code == 403
    assert client.get(f"{BASE}/exports/secrets.csv", headers=ADMIN).status_code == 404


def test_erased_participants_leave_the_exports(client: TestClient) -> None:
    vote(client, "ref-leaving-01", 1, "agree", "key-exp-0101")
    client.delete(f"{BASE}/participants/ref-leaving-01", headers=BOT)
    assert rows(exported(client, "ballots.csv")) == []
    assert rows(exported(client, "participants.csv")) == []


@pytest.mark.parametrize("name", ["comments.csv", "votes.csv"])
def test_polis_files_with_a_datetime_have_the_open_data_columns(
    client: TestClient, name: str
) -> None:
    vote(client, "ref-cols-0001", 1, "agree", "key-exp-0201")
    ours = exported(client, f"polis/{name}")
    theirs = (OPEN_DATA / "brexit-consensus" / name).read_text(encoding="utf-8")
    assert header(ours) == header(theirs)
    first = rows(ours)[0]
    assert polis.datetime_text(int(first["timestamp"])) == first["datetime"]


@pytest.fixture
def empty_client(settings: Settings, tmp_path: Path) -> Iterator[TestClient]:
    """A consultation with no proposal of its own, to carry a Pol.is conversation onto."""
    spec = yaml.safe_load((DATA / "consultation.yaml").read_text(encoding="utf-8"))
    spec["proposals"] = []
    settings.consultation = tmp_path / "empty.yaml"
    settings.consultation.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.mark.parametrize("name", sorted(p.name for p in OPEN_DATA.iterdir() if p.is_dir()))
def test_a_polis_conversation_round_trips(empty_client: TestClient, name: str) -> None:
    folder = OPEN_DATA / name
    state = empty_client.app.state.parlons_api
    conversation = polis.read(folder)
    # On the app's own event loop: the database connections belong to it.
    imported = empty_client.portal.call(state.imports.polis, "test-city", conversation)
    assert imported.proposals == len(conversation.comments)

    ours = {
        r["participant"]: r for r in rows(exported(empty_client, "polis/participants-votes.csv"))
    }
    theirs = {
        r["participant"]: r for r in rows(folder.joinpath("participants-votes.csv").read_text())
    }
    assert ours.keys() == theirs.keys()
    for participant, row in theirs.items():
        del row["group-id"], ours[participant]["group-id"]  # our groups are computed anew
        row.pop("xid", None)  # newer exports: the embedding site's own id, which we never have
        assert ours[participant] == row, participant

    with pytest.raises(Exception, match="already imported"):  # a second import changes nothing
        empty_client.portal.call(state.imports.polis, "test-city", conversation)


def test_the_command_line_imports_all_or_nothing_and_exports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    monkeypatch.setenv("PARLONS_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/cli.db")
    monkeypatch.setenv("PARLONS_CONSULTATION", str(DATA / "consultation.yaml"))
    bad = tmp_path / "bad.csv"
    bad.write_text("key,text,language\nx1,Une idée de plus.,fr\nx2,,fr\n", encoding="utf-8")
    with pytest.raises(SystemExit) as refused:
        main(["import", str(bad)])
    assert refused.value.code == 1
    assert "line 3: text" in capsys.readouterr().err

    good = tmp_path / "good.csv"
    good.write_text("key,text,language\nx1,Une idée de plus.,fr\n", encoding="utf-8")
    with pytest.raises(SystemExit) as done:
        main(["import", str(good)])
    assert done.value.code == 0
    with pytest.raises(SystemExit):
        main(["export", str(tmp_path / "out")])
    proposals = rows((tmp_path / "out" / "proposals.csv").read_text(encoding="utf-8"))
    assert [p["key"] for p in proposals] == [
        "food-aid",
        "night-buses",
        "benches",
        "repair-cafe",
        "x1",
    ]
    assert (tmp_path / "out" / "polis" / "participants-votes.csv").exists()
