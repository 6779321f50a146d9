"""The small vocabulary the dialog speaks: events in, replies and effects out.

Channels turn their wire format into events and render replies; the runtime carries out
effects. Nothing here knows about HTTP, Twilio, Telegram or a database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dialogs.session import Session


class Choice(StrEnum):
    AGREE = "agree"
    DISAGREE = "disagree"
    SKIP = "skip"


# --- Events: what the resident did -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    """A message typed (SMS, Telegram) or recognised from speech or keys (phone)."""

    text: str


@dataclass(frozen=True, slots=True)
class Media:
    """A picture, a video or a sticker with no text: we can only read words."""


Event = Text | Media


# --- Replies: what the resident is told --------------------------------------------------


@dataclass(frozen=True, slots=True)
class Say:
    text: str


@dataclass(frozen=True, slots=True)
class Option:
    """One numbered choice. `key` is stable (agree, disagree...), `label` is translated."""

    key: str
    label: str


@dataclass(frozen=True, slots=True)
class Ask:
    """A question with numbered options; each channel shows them its own way."""

    text: str
    options: tuple[Option, ...]


Reply = Say | Ask


# --- Effects: what the runtime must do before the replies leave ---------------------------


@dataclass(frozen=True, slots=True)
class CastBallot:
    proposal_id: int
    choice: Choice


@dataclass(frozen=True, slots=True)
class SubmitIdea:
    """The resident confirmed their own idea: it goes to moderation."""

    text: str
    language: str


@dataclass(frozen=True, slots=True)
class OptOut:
    """STOP: send nothing more to this participant until they opt back in."""


@dataclass(frozen=True, slots=True)
class OptIn:
    """START after a STOP."""


Effect = CastBallot | SubmitIdea | OptOut | OptIn


# --- What the dialog is given and what it returns -----------------------------------------


@dataclass(frozen=True, slots=True)
class ProposalView:
    """A proposal as the dialog shows it: the original text and its translations."""

    id: int
    language: str
    text: str
    translations: Mapping[str, str] = field(default_factory=dict)

    def text_in(self, language: str) -> str:
        if language == self.language:
            return self.text
        return self.translations.get(language, self.text)


class Phase(StrEnum):
    BEFORE = "before"  # not open yet
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Context:
    """What the dialog reads but never changes: the consultation, where it stands in its
    calendar, and the proposals in play."""

    question: Mapping[str, str]
    languages: tuple[str, ...]
    default_language: str
    proposals: Mapping[int, ProposalView]
    phase: Phase = Phase.OPEN
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    timezone: str = "Europe/Paris"
    help_contact: Mapping[str, str] = field(default_factory=dict)
    next_steps: Mapping[str, str] = field(default_factory=dict)
    idea_max_length: int = 200

    def in_language(self, texts: Mapping[str, str], language: str) -> str:
        """A consultation text in `language`, else in the default language, else nothing."""
        return texts.get(language) or texts.get(self.default_language, "")

    def question_in(self, language: str) -> str:
        return self.in_language(self.question, language)


@dataclass(frozen=True, slots=True)
class Turn:
    session: Session
    replies: tuple[Reply, ...] = ()
    effects: tuple[Effect, ...] = ()
