"""Consultations and proposals between the database and the schemas: rows found by slug,
built from a consultation file, shown as the API shows them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import NotFound
from api.models import Consultation, Proposal, ProposalStatus, ProposalTranslation
from api.schemas import ConsultationOut, ProposalOut, ProposalSpec


def as_utc(moment: datetime | None) -> datetime | None:
    """Datetimes are stored in UTC; SQLite hands them back without their zone."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def consultation_out(row: Consultation) -> ConsultationOut:
    return ConsultationOut(
        slug=row.slug,
        title=row.title,
        question=row.question,
        languages=row.languages,
        default_language=row.default_language,
        timezone=row.timezone,
        opens_at=as_utc(row.opens_at),
        closes_at=as_utc(row.closes_at),
        details=row.details,
    )


def proposal_out(row: Proposal) -> ProposalOut:
    return ProposalOut(
        id=row.id,
        key=row.key,
        text=row.text,
        language=row.language,
        theme=row.theme,
        status=row.status,
        translations={t.language: t.text for t in row.translations},
        channel=row.channel,
        audio=row.audio,
        reject_reason=row.reject_reason,
        flags=list(row.flags or []),
        original_text=row.original_text,
        similar_to=row.similar_to,
        quoted=bool(row.quoted),
        claimed_by=row.claimed_by if claim_live(row) else None,
        claimed_until=as_utc(row.claimed_until) if claim_live(row) else None,
    )


def claim_live(row: Proposal) -> bool:
    """True while a moderator's claim on the proposal has not lapsed."""
    until = as_utc(row.claimed_until)
    return row.claimed_by is not None and until is not None and until > datetime.now(UTC)


def new_proposal(consultation_id: int, spec: ProposalSpec) -> Proposal:
    """A proposal written by the city (a consultation file, an imported CSV), no vote yet."""
    return Proposal(
        consultation_id=consultation_id,
        key=spec.key,
        text=spec.text,
        language=spec.language,
        theme=spec.theme,
        status=spec.status,
        agree=0,
        disagree=0,
        skip=0,
        translations=[
            ProposalTranslation(language=lang, text=text)
            for lang, text in spec.translations.items()
            if lang != spec.language
        ],
    )


async def consultation_row(db: AsyncSession, slug: str) -> Consultation:
    row = await db.scalar(select(Consultation).where(Consultation.slug == slug))
    if row is None:
        raise NotFound(f"no consultation {slug!r}")
    return row


async def accepted_proposals(db: AsyncSession, consultation: Consultation) -> list[Proposal]:
    """The proposals residents vote on, in the order they were added."""
    found = await db.scalars(
        select(Proposal)
        .where(Proposal.consultation_id == consultation.id)
        .where(Proposal.status == ProposalStatus.ACCEPTED)
        .order_by(Proposal.id)
    )
    return list(found)


class ConsultationIds:
    """Consultations' ids by slug, each read once: an id never changes (nor is a consultation
    deleted), and the hot paths need nothing else of the row."""

    def __init__(self) -> None:
        self._known: dict[str, int] = {}

    def known(self, slug: str) -> int | None:
        """The id, when it was read already: no session needed."""
        return self._known.get(slug)

    async def of(self, db: AsyncSession, slug: str) -> int:
        if (known := self._known.get(slug)) is None:
            known = await db.scalar(select(Consultation.id).where(Consultation.slug == slug))
            if known is None:
                raise NotFound(f"no consultation {slug!r}")
            self._known[slug] = known
        return known
