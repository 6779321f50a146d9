"""The outbox's entries: one API write each (ballots, an idea, a profile, an ERASE, an
evaluation), as JSON, and how each is made.

Every write is idempotent (a ballot carries a key derived from the message), so posting an
entry twice changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Sequence

from pydantic import TypeAdapter

from api.schemas import BallotIn, EvaluationIn, IdeaIn, ProfileIn
from bot.api_client import ApiClient, ApiRefused

_ballots = TypeAdapter(list[BallotIn])


class BadEntry(ApiRefused):
    """An entry no API could take (not JSON, an unknown kind, a field missing): refused as
    the API would refuse it, so the worker sets it aside like any refusal."""


def ballots_entry(ballots: Sequence[BallotIn]) -> bytes:
    body = [b.model_dump(mode="json") for b in ballots]
    return json.dumps({"kind": "ballots", "ballots": body}).encode()


def idea_entry(idea: IdeaIn) -> bytes:
    return json.dumps({"kind": "idea", "idea": idea.model_dump(mode="json")}).encode()


def profile_entry(participant: str, profile: ProfileIn) -> bytes:
    body = profile.model_dump(mode="json", exclude_unset=True)
    return json.dumps({"kind": "profile", "participant": participant, "profile": body}).encode()


def erase_entry(participant: str) -> bytes:
    return json.dumps({"kind": "erase", "participant": participant}).encode()


def evaluation_entry(answer: EvaluationIn) -> bytes:
    return json.dumps({"kind": "evaluation", "answer": answer.model_dump(mode="json")}).encode()


def ballots_of(entry: dict) -> list[BallotIn]:
    return _ballots.validate_python(entry["ballots"])


def decode(raw: bytes) -> dict:
    try:
        entry = json.loads(raw)
    except ValueError as error:
        raise BadEntry(f"not JSON: {error}") from error
    if not isinstance(entry, dict) or "kind" not in entry:
        raise BadEntry("not an outbox entry")
    return entry


async def perform(client: ApiClient, entry: dict) -> None:
    """Make one entry's write (the worker batches ballots before they get here)."""
    try:
        write = _write(client, entry)
    except (KeyError, ValueError) as error:  # pydantic's ValidationError is a ValueError
        raise BadEntry(f"{type(error).__name__}: {error}") from error
    await write


def _write(client: ApiClient, entry: dict) -> Awaitable[object]:
    match entry["kind"]:
        case "ballots":
            return client.cast_ballots(ballots_of(entry))
        case "idea":
            return client.submit_idea(IdeaIn.model_validate(entry["idea"]))
        case "profile":
            profile = ProfileIn.model_validate(entry["profile"])
            return client.set_profile(entry["participant"], profile)
        case "erase":
            return client.erase(entry["participant"])
        case "evaluation":
            return client.evaluate(EvaluationIn.model_validate(entry["answer"]))
        case kind:
            raise ValueError(f"unknown outbox entry {kind!r}")


def ballots_in(raw: bytes) -> list[BallotIn]:
    """The ballots of a ballots entry, for a batch of several entries."""
    try:
        return ballots_of(decode(raw))
    except (KeyError, ValueError) as error:
        raise BadEntry(f"{type(error).__name__}: {error}") from error
