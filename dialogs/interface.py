"""The dialog's interface with the rest of the house: events in, replies and effects out.

Channels turn their wire format into events and render replies; the runtime carries out
effects. Nothing here knows about HTTP, Twilio, Telegram or a database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
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
    """A message typed (SMS, Telegram) or recognised from speech or keys (phone).

    `hint` is a language the channel or the runtime guessed (a Telegram user's language, an
    offline detector's answer); the dialog uses it only to greet a newcomer.
    """

    text: str
    hint: str | None = None
    audio: str | None = None  # a recording of what was said (a phone idea, a voice note)
    confidence: float | None = None  # how sure speech recognition is of `text`, 0 to 1
    audio_seconds: float | None = None  # how long the recording lasts, when it was measured


@dataclass(frozen=True, slots=True)
class Press:
    """A button pressed (Telegram): the option's key, and the proposal it was about, so a
    stale button cannot vote on the wrong proposal."""

    key: str
    about: int | None = None


@dataclass(frozen=True, slots=True)
class Media:
    """A picture, a video or a sticker with no text: we can only read words (and, where the
    channel takes them as ideas, `voice_notes`, listen to voice messages)."""

    voice_notes: bool = False


@dataclass(frozen=True, slots=True)
class Opened:
    """The resident opened the conversation without a word yet: a phone call answered."""


@dataclass(frozen=True, slots=True)
class HungUp:
    """The resident left (a call ended): nothing is said back."""


Event = Text | Press | Media | Opened | HungUp


# --- Replies: what the resident is told --------------------------------------------------


@dataclass(frozen=True, slots=True)
class Say:
    """A statement. `language` is set when it is not in the resident's language (a proposal
    written in another one), so the phone can read it with the right voice; `slow` when the
    phone should say it slowly (help numbers, to be noted down)."""

    text: str
    language: str | None = None
    slow: bool = False


@dataclass(frozen=True, slots=True)
class Option:
    """One choice. `key` is stable (agree, fr...), `label` is translated; `digit` is the key
    to press or the number to text (1, 2, 3... by position unless set, e.g. 0 for "skip");
    `language` is set when the label is in its own language (the language menu)."""

    key: str
    label: str
    digit: int | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Ask:
    """A question with numbered options; each channel shows them its own way. `about` is the
    proposal the question is about, when there is one."""

    text: str
    options: tuple[Option, ...]
    about: int | None = None

    def numbered(self) -> list[tuple[int, Option]]:
        return numbered(self.options)


@dataclass(frozen=True, slots=True)
class Prompt:
    """A question whose answer is free text (or speech): the resident's own idea.

    `record` asks a spoken channel to keep a recording of the answer rather than recognise it
    (recognition failed once): a moderator will listen to it."""

    text: str
    record: bool = False


Reply = Say | Ask | Prompt


def numbered(options: Sequence[Option]) -> list[tuple[int, Option]]:
    """The digit of each option: its own, else its position among those without one."""
    position = 0
    result = []
    for option in options:
        if option.digit is None:
            position += 1
        result.append((position if option.digit is None else option.digit, option))
    return result


# --- Effects: what the runtime must do before the replies leave ---------------------------


@dataclass(frozen=True, slots=True)
class CastBallot:
    proposal_id: int
    choice: Choice
    qualification: str | None = None  # "favourite", "realistic", "platitude", "no_way"


@dataclass(frozen=True, slots=True)
class SubmitIdea:
    """The resident confirmed their own idea (or disclosed a danger): it goes to moderators."""

    text: str
    language: str
    flags: tuple[str, ...] = ()
    audio: str | None = None


@dataclass(frozen=True, slots=True)
class SetProfile:
    """Parts of the optional profile; None means "not given"."""

    district: str | None = None
    age_band: str | None = None


@dataclass(frozen=True, slots=True)
class Erase:
    """ERASE confirmed: remove the participant's ballots and profile."""


@dataclass(frozen=True, slots=True)
class Forget:
    """The conversation can never resume (a call from a withheld number ended): delete the
    session now rather than keep it until it expires. Ballots already cast stay counted."""


@dataclass(frozen=True, slots=True)
class OptOut:
    """STOP: send nothing more to this participant until they opt back in."""


@dataclass(frozen=True, slots=True)
class OptIn:
    """START after a STOP."""


@dataclass(frozen=True, slots=True)
class HearBack:
    """The resident's answer to "may we write to you about the results and your idea?": keep
    their address (yes) or forget it (no). Nothing is assumed before they answer."""

    wanted: bool


@dataclass(frozen=True, slots=True)
class Evaluate:
    """An answer to an evaluation question of the process ("heard": 1 to 5)."""

    question: str
    score: int


Effect = (
    CastBallot | SubmitIdea | SetProfile | Erase | Forget | OptOut | OptIn | HearBack | Evaluate
)


# --- What the dialog is given and what it returns -----------------------------------------


@dataclass(frozen=True, slots=True)
class ProposalView:
    """A proposal as the dialog shows it: the original text and its translations."""

    id: int
    language: str
    text: str
    translations: Mapping[str, str] = field(default_factory=dict)

    def text_in(self, language: str) -> tuple[str, str]:
        """The text to show a resident of `language`, and the language it is written in."""
        if language != self.language and language in self.translations:
            return self.translations[language], language
        return self.text, self.language


class Phase(StrEnum):
    BEFORE = "before"  # not open yet
    OPEN = "open"
    CLOSED = "closed"


TEXT_MAX_LENGTH = 1600  # Twilio's longest SMS; each channel sets its own (bot/settings.py)


@dataclass(frozen=True, slots=True)
class District:
    key: str
    name: str


@dataclass(frozen=True, slots=True)
class Context:
    """What the dialog reads but never changes: the consultation, where it stands in its
    calendar, the proposals in play, the time, and what the channel wants."""

    question: Mapping[str, str]
    languages: tuple[str, ...]
    default_language: str
    proposals: Mapping[int, ProposalView]
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    phase: Phase = Phase.OPEN
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    timezone: str = "Europe/Paris"
    help_contact: Mapping[str, str] = field(default_factory=dict)
    next_steps: Mapping[str, str] = field(default_factory=dict)
    safeguarding: Mapping[str, str] = field(default_factory=dict)
    districts: tuple[District, ...] = ()
    idea_max_length: int = 200
    text_max_length: int = TEXT_MAX_LENGTH  # a longer message is not read
    audio_max_seconds: int = 180  # a longer voice message is not taken (bot/settings.py)
    ideas_closed: bool = False  # the resident sent the most ideas we take in a day
    qualify: bool = False  # ask "a favourite / realistic / platitude" after a vote
    spoken: bool = False  # the resident hears us (a phone call): say, don't write
    reachable: bool = True  # we could write to them later (not at a mediator's shared tablet)

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
    stale: bool = False  # a button of a question already answered: nothing was taken
