"""An outcome kept under its message id, so a re-delivered message gets the same answer."""

from __future__ import annotations

import json
from dataclasses import asdict

from channels.base import Outcome
from dialogs import Ask, Option, Prompt, Reply, Say

_KINDS: dict[str, type] = {"say": Say, "ask": Ask, "prompt": Prompt}
_NAMES = {kind: name for name, kind in _KINDS.items()}


def encode(outcome: Outcome) -> bytes:
    replies = [{"kind": _NAMES[type(r)], **asdict(r)} for r in outcome.replies]
    kept = {"language": outcome.language, "replies": replies, "stale": outcome.stale}
    return json.dumps(kept).encode()


def _reply(data: dict) -> Reply:
    kind = _KINDS[data.pop("kind")]
    if kind is Ask:
        data["options"] = tuple(Option(**o) for o in data["options"])
    return kind(**data)


def decode(raw: bytes) -> Outcome:
    data = json.loads(raw)
    replies = tuple(_reply(r) for r in data["replies"])
    return Outcome(replies, data["language"], data.get("stale", False))
