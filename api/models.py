"""The consultation's tables. Participants are pseudonymous refs: no address is ever stored."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Named constraints, so later migrations can drop or alter them on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ProposalStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    POSTPONED = "postponed"  # a moderator will come back to it (e.g. asked a colleague)


class RejectReason(StrEnum):
    """Why a proposal is not published: a fixed list, explained in plain words (api/moderation)."""

    INCOMPREHENSIBLE = "incomprehensible"
    OFF_TOPIC = "off_topic"
    PARTISAN = "partisan"
    ILLEGAL = "illegal"
    ADVERTISING = "advertising"
    SEVERAL_IDEAS = "several_ideas"
    RUDE = "rude"
    DUPLICATE = "duplicate"
    PERSONAL_DATA = "personal_data"
    OTHER = "other"


class Role(StrEnum):
    BOT = "bot"  # posts ballots, ideas and profiles for residents
    MODERATOR = "moderator"  # moderates proposals, reads results
    ANALYST = "analyst"  # reads results and exports
    ADMIN = "admin"  # everything, including tokens and imports


class ModerationAction(StrEnum):
    CLAIM = "claim"
    RELEASE = "release"
    ACCEPT = "accept"
    REJECT = "reject"
    POSTPONE = "postpone"
    EDIT = "edit"
    TRANSLATE = "translate"
    QUOTE = "quote"  # chosen as a resident's own words for the report
    UNQUOTE = "unquote"


class Choice(StrEnum):
    AGREE = "agree"
    DISAGREE = "disagree"
    SKIP = "skip"


class Qualification(StrEnum):
    """Make.org-style qualifications a resident may add after a vote."""

    FAVOURITE = "favourite"  # "coup de coeur"
    REALISTIC = "realistic"
    PLATITUDE = "platitude"  # "banalite"
    NO_WAY = "no_way"  # "surtout pas !"


def _enum(cls: type[StrEnum]) -> Enum:
    # Plain strings with a CHECK: portable between SQLite and PostgreSQL, no native enum type.
    return Enum(
        cls,
        native_enum=False,
        length=16,
        values_callable=lambda members: [m.value for m in members],
        name=cls.__name__.lower(),
    )


def _now() -> Any:
    return mapped_column(DateTime(timezone=True), server_default=func.now())


class Consultation(Base):
    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[dict[str, str]] = mapped_column(JSON)
    question: Mapped[dict[str, str]] = mapped_column(JSON)
    languages: Mapped[list[str]] = mapped_column(JSON)
    default_language: Mapped[str] = mapped_column(String(8))
    timezone: Mapped[str] = mapped_column(String(64))
    opens_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closes_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The rest of the consultation file (help contact, districts, themes...), kept as given.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = _now()


class Proposal(Base):
    __tablename__ = "proposals"
    __table_args__ = (UniqueConstraint("consultation_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    key: Mapped[str | None] = mapped_column(String(64))  # stable key from an imported file
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    theme: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[ProposalStatus] = mapped_column(_enum(ProposalStatus), index=True)
    created_at: Mapped[datetime] = _now()
    # A resident's idea: who sent it (pseudonymous), how, and what became of it.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"), index=True)
    channel: Mapped[str | None] = mapped_column(String(16))
    audio: Mapped[str | None] = mapped_column(String(500))  # a recording to listen to
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    reject_reason: Mapped[str | None] = mapped_column(Text)  # a RejectReason value
    # The resident's own words, kept when a moderator edits the text.
    original_text: Mapped[str | None] = mapped_column(Text)
    # Two moderators never handle one proposal at once: a claim holds it for a while.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The published proposal this one looks like (flag "near_duplicate").
    similar_to: Mapped[int | None] = mapped_column(Integer)
    # A moderator chose its words to be quoted, anonymously, in the synthesis report.
    quoted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Automatic flags for moderators ("safeguarding" means urgent), set when an idea arrives.
    flags: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    moderated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Running counts, updated in the ballot's own transaction, so "next" and results are cheap.
    agree: Mapped[int] = mapped_column(Integer, default=0)
    disagree: Mapped[int] = mapped_column(Integer, default=0)
    skip: Mapped[int] = mapped_column(Integer, default=0)

    translations: Mapped[list[ProposalTranslation]] = relationship(
        lazy="selectin", cascade="all, delete-orphan"
    )


class ProposalTranslation(Base):
    __tablename__ = "proposal_translations"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    text: Mapped[str] = mapped_column(Text)


class Participant(Base):
    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("consultation_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    ref: Mapped[str] = mapped_column(String(64))  # pseudonym derived by the bot
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = _now()
    # The optional profile, each part skippable; never anything that names the resident.
    district: Mapped[str | None] = mapped_column(String(64))
    age_band: Mapped[str | None] = mapped_column(String(16))
    centre: Mapped[str | None] = mapped_column(String(64))  # the social centre that brought them
    # Its number in the Pol.is conversation it was imported from: exports keep it.
    polis_id: Mapped[int | None] = mapped_column(Integer)
    # Staff practising in the web simulator: their ballots are never counted in the results.
    simulated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Generated by `parlons demo` in the demo consultation: counted, and shown as a demo.
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Ballot(Base):
    __tablename__ = "ballots"
    __table_args__ = (UniqueConstraint("participant_id", "proposal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    choice: Mapped[Choice] = mapped_column(_enum(Choice))
    qualification: Mapped[Qualification | None] = mapped_column(_enum(Qualification))
    channel: Mapped[str] = mapped_column(String(16))
    # Set by the sender: a retried post with the same key changes nothing.
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    cast_at: Mapped[datetime] = _now()


class ModerationEvent(Base):
    """The audit trail: who did what to which proposal, when and why. Never updated."""

    __tablename__ = "moderation_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    actor: Mapped[str] = mapped_column(String(64))  # the token's name
    action: Mapped[ModerationAction] = mapped_column(_enum(ModerationAction))
    reason: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    # What changed, e.g. {"text": [before, after]} or {"status": [before, after]}.
    change: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = _now()


class ApiToken(Base):
    """A bearer token an admin created. Only its SHA-256 digest is stored: the token itself is
    shown once, at creation."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[Role] = mapped_column(_enum(Role))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = _now()
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Evaluation(Base):
    """A participant's answer to an evaluation question of the process ("Did you feel heard?",
    1 to 5), asked after the consultation; answering again replaces the answer."""

    __tablename__ = "evaluations"
    __table_args__ = (UniqueConstraint("participant_id", "question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    # ERASE removes the participant, and their answers with them.
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    question: Mapped[str] = mapped_column(String(32))
    score: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))
    answered_at: Mapped[datetime] = _now()


class Cluster(Base):
    """A big idea: a titled group of accepted proposals that analysts and moderators make.
    ("idea" is a resident's proposal and "theme" a proposal's field, hence the name.)"""

    __tablename__ = "clusters"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    title: Mapped[dict[str, str]] = mapped_column(JSON)  # per language
    description: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = _now()


class ClusterMember(Base):
    """A proposal's big idea: the proposal is the key, so it is in one big idea at most."""

    __tablename__ = "cluster_members"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), primary_key=True)
    cluster_id: Mapped[int] = mapped_column(
        ForeignKey("clusters.id", ondelete="CASCADE"), index=True
    )


class ClusterEvent(Base):
    """The big ideas' audit trail: who created, renamed, merged, split, re-arranged or deleted
    which, when, and what changed. Never updated; a deleted big idea keeps its events."""

    __tablename__ = "cluster_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    cluster_id: Mapped[int] = mapped_column(Integer, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))
    change: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = _now()
