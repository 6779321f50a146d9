"""What goes in and out of the consultation API, over HTTP and in-process alike."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from api.models import (
    Choice,
    ModerationAction,
    ProposalStatus,
    Qualification,
    RejectReason,
    Role,
)
from api.text import clean_text

# "fr", "pt-BR": stored in 8 characters.
LanguageCode = Annotated[str, Field(pattern=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,4})?$")]
MAX_ID = 2**31 - 1  # ids are PostgreSQL INTEGERs: a larger number names nothing
Id = Annotated[int, Field(ge=0, le=MAX_ID)]
# Every text a person wrote is cleaned before it is stored (api/text.py), whoever sends it:
# the bot in-process, over HTTP, or a consultation file. Length limits apply to the result.
CleanText = Annotated[str, BeforeValidator(lambda v: clean_text(v) if isinstance(v, str) else v)]


class ProposalSpec(BaseModel):
    """A proposal as written in a consultation file."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=64)
    text: CleanText = Field(min_length=1, max_length=1000)
    language: LanguageCode
    theme: str | None = Field(None, max_length=64)
    status: ProposalStatus = ProposalStatus.ACCEPTED
    translations: dict[LanguageCode, CleanText] = {}


class ConsultationSpec(BaseModel):
    """A consultation file (YAML): what a city writes to open a consultation."""

    model_config = ConfigDict(extra="allow")  # help, districts, themes... kept as details

    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    title: dict[LanguageCode, str]
    question: dict[LanguageCode, str]
    languages: list[LanguageCode] = Field(min_length=1)
    default_language: LanguageCode
    timezone: str = "Europe/Paris"
    opens: datetime | None = None
    closes: datetime | None = None
    help: dict[LanguageCode, str] = Field({}, description="a human contact, per language")
    next_steps: dict[LanguageCode, str] = Field({}, description="what comes after closing")
    idea_max_length: int = Field(200, ge=40, le=1000)
    proposals: list[ProposalSpec] = []

    def details(self) -> dict[str, Any]:
        """What the consultation's own columns do not hold, kept as given."""
        known = {"help", "next_steps", "idea_max_length"}
        return {**(self.model_extra or {}), **self.model_dump(include=known)}


class ConsultationOut(BaseModel):
    slug: str
    title: dict[LanguageCode, str]
    question: dict[LanguageCode, str]
    languages: list[LanguageCode]
    default_language: LanguageCode
    timezone: str
    opens_at: datetime | None
    closes_at: datetime | None
    details: dict[str, Any]


class ProposalOut(BaseModel):
    id: int
    key: str | None
    text: str
    language: LanguageCode
    theme: str | None
    status: ProposalStatus
    translations: dict[LanguageCode, str]
    channel: str | None = Field(None, description="how a resident's idea reached us")
    audio: str | None = Field(None, description="a recording of the idea, to listen to")
    reject_reason: RejectReason | None = None
    flags: list[str] = Field([], description='for moderators; "safeguarding" is urgent')
    original_text: str | None = Field(None, description="the resident's words, if edited")
    similar_to: int | None = Field(None, description="the proposal a near-duplicate resembles")
    claimed_by: str | None = Field(None, description="the moderator handling it now")
    claimed_until: datetime | None = None
    quoted: bool = Field(False, description="chosen by a moderator as a quote for the report")


class IdeaIn(BaseModel):
    """A resident's own idea, confirmed by them; it waits for a moderator."""

    participant: str = Field(min_length=8, max_length=64, description="pseudonymous ref")
    text: CleanText = Field(min_length=1, max_length=1000)
    language: LanguageCode
    channel: str = Field(max_length=16)
    audio: str | None = Field(None, max_length=500)
    idempotency_key: str = Field(min_length=8, max_length=128)
    flags: list[str] = Field([], description="what the bot already noticed, e.g. safeguarding")


class ProfileIn(BaseModel):
    """Parts of a participant's optional profile; a part left out is left as it is."""

    channel: str = Field(max_length=16)
    language: LanguageCode | None = None
    district: str | None = Field(None, max_length=64)
    age_band: str | None = Field(None, max_length=16)
    centre: str | None = Field(None, max_length=64)
    simulated: bool | None = Field(None, description="staff practising: never counted")


class ProfileOut(BaseModel):
    participant: str
    channel: str
    language: LanguageCode | None
    district: str | None
    age_band: str | None
    centre: str | None


class Erased(BaseModel):
    ballots: int = Field(description="ballots removed (the results no longer count them)")


class Rejection(BaseModel):
    reason: RejectReason = Field(description="a code from GET /moderation/reasons")
    note: str | None = Field(None, max_length=500, description="for the audit trail")

    @model_validator(mode="before")
    @classmethod
    def _words_as_other(cls, data: Any) -> Any:
        """A reason written in words ("Off-topic") is read as its code; words that name no
        code become "other" with the words kept as the note, so nothing the moderator wrote
        is lost."""
        if not isinstance(data, dict) or not isinstance(data.get("reason"), str):
            return data
        words = data["reason"].strip()
        code = re.sub(r"[\s-]+", "_", words.casefold())
        if code in RejectReason.__members__.values():
            return {**data, "reason": code}
        given = data.get("note") if isinstance(data.get("note"), str) else None
        note = "; ".join(filter(None, [words[:500], given]))[:500]
        return {**data, "reason": RejectReason.OTHER, "note": note}


class Decision(BaseModel):
    """An accept or a postpone, with an optional note for the audit trail."""

    note: str | None = Field(None, max_length=500)


class Edit(BaseModel):
    """A moderator's correction; the resident's original text is kept."""

    text: CleanText | None = Field(None, min_length=1, max_length=1000)
    theme: str | None = Field(None, max_length=64)
    note: str | None = Field(None, max_length=500)


class TranslationIn(BaseModel):
    text: CleanText = Field(min_length=1, max_length=1000)


class ReasonOut(BaseModel):
    code: RejectReason
    explanation: str = Field(description="in plain words, as the author may be told")


class ModerationEventOut(BaseModel):
    id: int
    proposal_id: int
    actor: str
    action: ModerationAction
    reason: RejectReason | None
    note: str | None
    change: dict[str, Any]
    at: datetime


class TokenIn(BaseModel):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$", description="who holds it")
    role: Role


class TokenOut(BaseModel):
    id: int
    name: str
    role: Role
    created_by: str
    created_at: datetime
    revoked_at: datetime | None


class CallerOut(BaseModel):
    """Who a token is, as the API judges it on this very request."""

    name: str
    role: Role


class TokenCreated(TokenOut):
    token: str = Field(description="shown once: only its digest is stored")


class BallotIn(BaseModel):
    participant: str = Field(min_length=8, max_length=64, description="pseudonymous ref")
    proposal_id: Id
    choice: Choice
    qualification: Qualification | None = None
    channel: str = Field(max_length=16)
    language: LanguageCode | None = None
    idempotency_key: str = Field(min_length=8, max_length=128)


class BallotsIn(BaseModel):
    ballots: list[BallotIn] = Field(min_length=1, max_length=500)


class BallotsOut(BaseModel):
    stored: int = Field(description="ballots newly stored or changed")
    duplicates: int = Field(description="ballots whose idempotency key was already stored")


class GroupShare(BaseModel):
    group: int
    agree: int
    disagree: int
    skip: int
    agree_rate: float | None


class ProposalResult(BaseModel):
    id: int
    text: str
    language: LanguageCode
    theme: str | None
    agree: int
    disagree: int
    skip: int
    votes: int
    agree_rate: float | None = Field(description="agree / (agree + disagree); skips left out")
    agree_low: float = Field(0.0, description="Wilson 95 % lower bound of agree_rate: the rank")
    agree_high: float = Field(1.0, description="Wilson 95 % upper bound of agree_rate")
    consensus: float = Field(0.0, description="product over opinion groups of their agree share")
    controversy: float = Field(0.0, description="0 one-sided or few votes, 1 evenly split")
    groups: list[GroupShare] = []
    qualifications: dict[Qualification, int] = {}


class Participation(BaseModel):
    participants: int
    ballots: int


class Day(BaseModel):
    day: date = Field(description="a UTC date")
    ballots: int
    participants: int = Field(description="participants whose first counted ballot is that day")
    channels: dict[str, int] = Field({}, description="that day's ballots by channel")


class GroupOut(BaseModel):
    id: int = Field(description="0 is the largest group")
    participants: int
    distinctive: list[int] = Field(
        description="proposals this group agrees with far more than the others, strongest first"
    )


class ResultFilter(BaseModel):
    """Count only some participants: every given part must match."""

    channel: str | None = Field(None, max_length=16, description="the ballot's channel")
    language: LanguageCode | None = Field(None, max_length=8)
    district: str | None = Field(None, max_length=64)
    age_band: str | None = Field(None, max_length=16)
    centre: str | None = Field(None, max_length=64)


class EvaluationIn(BaseModel):
    participant: str = Field(min_length=1, max_length=64)
    question: str = Field(pattern=r"^[a-z_]{1,32}$", description='e.g. "heard"')
    score: int = Field(ge=1, le=5)
    channel: str = Field(max_length=16)


class EvaluationSummary(BaseModel):
    answers: int
    mean: float
    scores: dict[int, int] = Field(description="how many answered each score, 1 to 5")


class ResultsOut(BaseModel):
    slug: str
    filters: ResultFilter = ResultFilter()
    participants: int
    demo: int = Field(0, description="of them, residents generated by `parlons demo` (counted)")
    ballots: int
    proposals: list[ProposalResult] = Field(description="best first: by agree_low")
    participation: dict[str, dict[str, Participation]] = Field(
        {}, description='by channel, language, district, age_band, centre ("unknown": not given)'
    )
    timeline: list[Day] = Field(
        [], description="per UTC day, from the first ballot's to the last's, empty days included"
    )
    groups: list[GroupOut] = Field([], description="opinion groups, when enough participants")
    uniting: list[int] = Field([], description="proposals every group agrees with, by consensus")
    evaluation: dict[str, EvaluationSummary] = Field(
        {}, description='the process as participants judged it, per question ("heard": 1 to 5)'
    )


class ImportProblem(BaseModel):
    line: int = Field(description="the line of the file (1 is the header; 0 the whole file)")
    reason: str


class Imported(BaseModel):
    proposals: int = 0
    participants: int = 0
    ballots: int = 0


class DecisionOut(BaseModel):
    """A moderator's decision on a resident's idea, for the bot to tell its author."""

    event: int = Field(description="the audit trail's id: ask for the decisions after it")
    proposal_id: int
    author: str = Field(description="the author's participant ref")
    status: Literal["accepted", "rejected"]
    reason: str | None = Field(None, description="a code of GET /moderation/reasons")
    text: str = Field(description="the idea in its author's own words")
    language: str


# --- big ideas (api/big_ideas.py) --------------------------------------------------------------

ShortText = Annotated[CleanText, Field(min_length=1, max_length=200)]
LongText = Annotated[CleanText, Field(max_length=1000)]


class ClusterIn(BaseModel):
    """A new big idea: its title (the default language's at least), a short description, per
    language, and the accepted proposals it gathers (taken out of any other big idea)."""

    title: dict[LanguageCode, ShortText] = Field(min_length=1)
    description: dict[LanguageCode, LongText] = {}
    proposals: list[Id] = Field([], max_length=5000)


class ClusterEdit(BaseModel):
    """A new title or description: the languages given replace theirs, the others stay."""

    title: dict[LanguageCode, ShortText] = {}
    description: dict[LanguageCode, LongText] = {}


class ClusterMembersIn(BaseModel):
    proposals: list[Id] = Field(max_length=5000)


class ClusterMergeIn(BaseModel):
    other: Id = Field(description="the big idea merged into this one, then deleted")


class ClusterSplitIn(ClusterIn):
    """Proposals of this big idea that leave it for a new one, with its title."""

    proposals: list[Id] = Field(min_length=1, max_length=5000)


class ClusterOut(BaseModel):
    id: int
    title: dict[LanguageCode, str]
    description: dict[LanguageCode, str]
    proposals: list[int]


class ClusterEventOut(BaseModel):
    id: int
    cluster_id: int
    actor: str
    action: str = Field(description="create, rename, arrange, merge, split or delete")
    change: dict[str, Any]
    at: datetime


class SuggestionOut(BaseModel):
    """A suggested big idea, for a person to review: nothing is stored until they create it."""

    proposals: list[int]
    title: str = Field(description="its shared words, for a person to rewrite")
    shared_words: list[str]
    shared_voters: int = Field(description="residents who agreed with two or more of them")


class SupportOut(BaseModel):
    id: int
    text: str
    agree: int
    disagree: int
    skip: int
    agree_low: float


class ClusterResult(BaseModel):
    cluster: ClusterOut
    residents: int = Field(description="residents who voted on at least one of its proposals")
    agree: int
    disagree: int
    skip: int
    agree_rate: float | None
    agree_low: float = Field(description="95 % bootstrap interval over residents")
    agree_high: float
    consensus: float
    controversy: float
    verdict: str = Field(description="widely_supported, controversial, rejected or undecided")
    groups: list[GroupShare]
    participation: dict[str, dict[str, Participation]]
    most_supported: list[SupportOut]


class ClusterResultsOut(BaseModel):
    slug: str
    thresholds: dict[str, float] = Field(description="what each verdict needs (README)")
    ideas: list[ClusterResult] = Field(
        description="widely supported first, then controversial, rejected, undecided"
    )
    outside: int = Field(description="accepted proposals in no big idea")
