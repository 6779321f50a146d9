"""An outcome kept under its message id, so a re-delivered message gets the same answer."""

from __future__ import annotations

import json

from channels.base import Outcome
from dialogs import Ask, Option, Prompt, Reply, Say

_KINDS: dict[str, type] = {"say": Say, "ask": Ask, "prompt": Prompt}
_NAMES = {kind: name for name, kind in _KINDS.items()}


def _fields(item: object) -> dict:
    # One level of dataclass fields: dataclasses.asdict deep-copies every value, and this
    # runs at every turn.
    return {name: getattr(item, name) for name in item.__dataclass_fields__}


def _plain(reply: Reply) -> dict:
    data = {"kind": _NAMES[type(reply)], **_fields(reply)}
    if isinstance(reply, Ask):
        data["options"] = [_fields(o) for o in reply.options]
    return data


def encode(outcome: Outcome) -> bytes:
    replies = [_plain(r) for r in outcome.replies]
    kept = {"language": outcome.language, "replies": replies, "stale": outcome.stale}
    if outcome.limited is not None:
        kept["limited"] = _plain(outcome.limited)
    return json.dumps(kept).encode()


def _reply(data: dict) -> Reply:
    kind = _KINDS[data.pop("kind")]
    if kind is Ask:
        data["options"] = tuple(Option(**o) for o in data["options"])
    return kind(**data)


def decode(raw: bytes) -> Outcome:
    data = json.loads(raw)
    replies = tuple(_reply(r) for r in data["replies"])
    limited = _reply(data["limited"]) if "limited" in data else None
    return Outcome(replies, data["language"], data.get("stale", False), limited)
