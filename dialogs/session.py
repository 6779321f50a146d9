"""A participant's place in the conversation, small enough to store for every resident."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from enum import StrEnum


class Stage(StrEnum):
    NEW = "new"  # never greeted
    VOTING = "voting"  # a proposal is on the table (`current`)
    DONE = "done"  # nothing left to vote on for now
    LANGUAGE = "language"  # the language menu is shown
    QUALIFYING = "qualifying"  # "a favourite, realistic, a platitude?" after a vote
    CHANGING = "changing"  # a new answer to the last proposal voted on
    IDEA_OFFERED = "idea_offered"  # asked whether they have an idea of their own
    IDEA_WRITING = "idea_writing"  # waiting for the idea's text
    IDEA_CONFIRMING = "idea_confirming"  # idea read back: send, rewrite or cancel
    DISTRICT = "district"  # optional profile: which district
    AGE = "age"  # optional profile: which age band
    CONSENT = "consent"  # under 15: does a parent agree?
    ERASING = "erasing"  # ERASE asked: confirm?
    HEAR_BACK = "hear_back"  # asked whether we may write about the results and their idea


# Short keys keep a stored session to a few hundred bytes even with a full queue.
_KEYS = {
    "language": "l",
    "stage": "s",
    "current": "c",
    "queue": "q",
    "answered": "a",
    "stopped": "x",
    "misunderstood": "m",
    "draft": "d",
    "draft_audio": "da",
    "last": "v",
    "last_choice": "vc",
    "district": "di",
    "offered": "o",
    "last_seen": "t",
    "silences": "sl",
    "recent": "r",
    "answers_known": "k",
    "quiet_until": "qu",
    "helped": "hn",
}
_NAMES = {short: name for name, short in _KEYS.items()}


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
    draft_audio: str | None = None  # its recording, when it was spoken
    last: int | None = None  # the last proposal voted on, to change that vote
    last_choice: str | None = None
    district: str | None = None  # chosen, kept until the age band completes the profile
    offered: str = ""  # asked once already: "i" an idea, "p" the profile, "h" to hear back
    last_seen: int = 0  # when the resident last wrote (Unix seconds)
    evaluating: str | None = None  # an evaluation question a broadcast asked ("heard")
    silences: int = 0  # questions in a row met with silence (a phone caller said nothing)
    # Every proposal answered, in the order answered: a top-up offers none of them again
    # without reading the ballots, even those still waiting in the outbox (Redis mode).
    recent: list[int] = field(default_factory=list)
    # `recent` holds them all: the runtime read the resident's stored ballots into it once
    # (a new session, or one saved before it kept them all).
    answers_known: bool = False
    # Over a message limit, told when they may go on (Unix seconds): until then, the next
    # messages over it are not answered again where an answer costs (the runtime's limits).
    quiet_until: int = 0
    helped: bool = False  # the last turn gave the help numbers: 0 (or silence) repeats them

    def copy(self) -> Session:
        return replace(self, queue=list(self.queue), recent=list(self.recent))

    def wanted_ids(self) -> list[int]:
        """Proposals whose text the next turn may need."""
        ids = [i for i in (self.current, self.last) if i is not None]
        return ids + self.queue

    def answered_recently(self, proposal: int) -> None:
        if proposal not in self.recent:  # a vote changed is the same proposal
            self.recent.append(proposal)

    def to_bytes(self) -> bytes:
        # Fields are numbers, strings and lists of ids: read directly, not through
        # dataclasses.asdict, whose deep copies took half the time of a turn's dialog.
        data = {
            _KEYS[name]: value
            for name in self.__slots__
            if (value := getattr(self, name)) != _NEWCOMER[name]  # what differs only
        }
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> Session:
        data = json.loads(raw)
        session = cls(**{_NAMES[k]: v for k, v in data.items() if k in _NAMES})
        session.stage = Stage(session.stage)
        session.stopped = bool(session.stopped)
        session.helped = bool(session.helped)
        session.answers_known = bool(session.answers_known)
        return session


_NEWCOMER = {name: getattr(Session(), name) for name in Session.__slots__}
