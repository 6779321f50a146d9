"""A participant's place in the conversation, small enough to store for every resident."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from enum import StrEnum


class Stage(StrEnum):
    NEW = "new"  # never greeted
    VOTING = "voting"  # a proposal is on the table (`current`)
    DONE = "done"  # nothing left to vote on for now
    IDEA_OFFERED = "idea_offered"  # asked whether they have an idea of their own
    IDEA_WRITING = "idea_writing"  # waiting for the idea's text
    IDEA_CONFIRMING = "idea_confirming"  # idea read back: send, rewrite or cancel


@dataclass(slots=True)
class Session:
    language: str | None = None
    stage: Stage = Stage.NEW
    current: int | None = None  # the proposal id the resident is answering
    queue: list[int] = field(default_factory=list)  # proposal ids to show next
    answered: int = 0  # votes and skips given in this consultation
    stopped: bool = False  # STOP received: say nothing until START
    misunderstood: int = 0  # replies in a row we could not understand
    draft: str | None = None  # an idea read back, waiting for confirmation
    idea_offered: bool = False  # the offer to send an idea is made once

    def copy(self) -> Session:
        return replace(self, queue=list(self.queue))

    def wanted_ids(self) -> list[int]:
        """Proposals whose text the next turn may need."""
        ids = [] if self.current is None else [self.current]
        return ids + self.queue

    # Short keys keep a stored session to a few hundred bytes even with a full queue.
    def to_bytes(self) -> bytes:
        data = {
            "l": self.language,
            "s": self.stage.value,
            "c": self.current,
            "q": self.queue,
            "a": self.answered,
            "x": int(self.stopped),
            "m": self.misunderstood,
            "d": self.draft,
            "o": int(self.idea_offered),
        }
        return json.dumps(data, separators=(",", ":")).encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> Session:
        data = json.loads(raw)
        return cls(
            language=data["l"],
            stage=Stage(data["s"]),
            current=data["c"],
            queue=list(data["q"]),
            answered=data["a"],
            stopped=bool(data["x"]),
            misunderstood=data["m"],
            draft=data.get("d"),
            idea_offered=bool(data.get("o", 0)),
        )
