"""What a turn knows without asking the database (bot/turns/runtime.py): the proposals a
resident answered travel with their session, read from the database once a session; the
consultation's accepted proposals are kept in memory (api/next_proposals.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import event

from bot.app import create_app
from bot.settings import Settings
from tests.conftest import DATA, Phone, fake_clock, results
from tests.outbox.helpers import drain

PROPOSALS = 16  # more than a queue, more than the 10 answers a session used to keep


@pytest.fixture
def many(settings: Settings, tmp_path: Path) -> Settings:
    """The test consultation with sixteen proposals of its own."""
    spec = yaml.safe_load((DATA / "consultation.yaml").read_text())
    spec["proposals"] = [
        {"key": f"p{n:02d}", "language": "fr", "theme": f"theme-{n % 4}", "text": text}
        for n, text in enumerate(TEXTS)
    ]
    path = tmp_path / "many.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True))
    settings.consultation = path
    return settings


TEXTS = [
    f"Il faut {thing}."
    for thing in (
        "des bancs au parc Salvator",
        "un marché le dimanche",
        "des bus la nuit",
        "une piscine ouverte l'été",
        "plus d'arbres rue du Sauvage",
        "des pistes cyclables",
        "un cinéma de quartier",
        "des jardins partagés",
        "une maison des jeunes",
        "des toilettes publiques",
        "une bibliothèque ouverte le soir",
        "des fontaines",
        "un repair café",
        "des concerts gratuits",
        "des trottoirs plus larges",
        "une épicerie solidaire",
    )
]
assert len(TEXTS) == PROPOSALS


def conversation(phone: Phone) -> list[str]:
    """Hello, then 'skip' to every proposal and no to every other question, until told
    everything was seen, a message every 10 s: the proposals' texts in the order shown."""
    clock = fake_clock(phone.client)
    shown = []
    reply = phone.send("Bonjour")
    for _ in range(3 * PROPOSALS):
        clock.advance(10)
        if "Vous avez vu toutes les propositions" in reply:
            return shown
        if "Proposition" in reply:
            shown += [t for t in TEXTS if t in reply]
            reply = phone.send("3")
        else:  # an idea, the optional questions: no thanks
            reply = phone.send("2")
    raise AssertionError(f"never told that every proposal was seen: {reply!r}")


def test_a_resident_sees_every_proposal_once_and_top_ups_read_no_ballots(many: Settings) -> None:
    with TestClient(create_app(many)) as client:
        transactions: list[list[str]] = [[]]
        engine = client.app.state.parlons.engine.sync_engine

        @event.listens_for(engine, "before_cursor_execute")
        def _statement(_c, _cursor, statement: str, *_args) -> None:  # noqa: ANN001
            transactions[-1].append(statement)

        @event.listens_for(engine, "commit")
        @event.listens_for(engine, "rollback")
        def _end(_connection) -> None:  # noqa: ANN001
            transactions.append([])

        shown = conversation(Phone(client, "+33639980111"))
    assert sorted(shown) == sorted(TEXTS)  # each once
    # The only reads of the ballots outside their own writes: the session's one recall.
    reads = [
        t
        for t in transactions
        if not any(s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) for s in t)
        and any("FROM ballots" in s for s in t)
    ]
    assert len(reads) == 1, reads


def test_never_offered_twice_while_the_outbox_waits_for_a_whole_conversation(
    many: Settings, redis_prefix: str
) -> None:
    from tests.conftest import REDIS_URL

    many.redis_url, many.redis_prefix = REDIS_URL, redis_prefix
    with TestClient(create_app(many)) as client:
        shown = conversation(Phone(client, "+33639980112"))
        assert sorted(shown) == sorted(TEXTS)  # each once, no ballot posted yet
        assert not any(p["votes"] for p in results(client).values())  # all in the outbox
        assert drain(many) > 0
        stored = results(client)
        assert {text: stored[text]["votes"] for text in TEXTS} == dict.fromkeys(TEXTS, 1)
